// A user's play file → the play's text. Runs at enqueue time (the job stores the text, so workers never
// need the file) and for `playbuddy parse`. Every way a file can be unusable ends in a UserError whose
// message names the file and the reason.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../../errors.js';
import { readAtMost } from '../../files/read-limited.js';
import { decodeBytes, normalizeNewlines, resolveEncoding } from './decode.js';

export type SourceFormat = 'txt' | 'md' | 'pdf' | 'docx';

export interface Extracted {
  text: string;
  format: SourceFormat;
  /** The encoding the bytes were decoded from; null for PDF and Word, whose text is not stored as bytes. */
  encoding: string | null;
  /** Size of the file (or buffer) read. */
  bytes: number;
}

export interface ExtractOptions {
  /** Forces a text encoding (a WHATWG label: utf-8, windows-1251, koi8-r, latin1…) instead of detecting it. */
  encoding?: string;
  /** Overrides the size limits below, for every format. */
  maxBytes?: number;
}

/** What a directory scan picks up. */
export const PLAY_EXTENSIONS: readonly string[] = ['.txt', '.md', '.pdf', '.docx'];

const MB = 1024 * 1024;
/** Limit for text files, and for the text extracted from any file: the longest plays are under 1 MB. */
export const DEFAULT_MAX_BYTES = 20 * MB;
/** PDF and Word files carry fonts and images besides their text, so the file itself may be larger. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 100 * MB;

const BY_EXTENSION: Record<string, SourceFormat> = { '.txt': 'txt', '.md': 'md', '.pdf': 'pdf', '.docx': 'docx' };

export function formatOf(filename: string): SourceFormat | null {
  return BY_EXTENSION[extname(filename).toLowerCase()] ?? null;
}

export function decodeText(buf: Uint8Array, encoding?: string): { text: string; encoding: string } {
  const { text, encoding: used } = decodeBytes(buf, 'The input', encoding);
  return { text, encoding: used };
}

export async function extractFile(path: string, opts: ExtractOptions = {}): Promise<Extracted> {
  if (opts.encoding !== undefined) resolveEncoding(opts.encoding);
  const info = await stat(path).catch((err: unknown) => {
    throw fileError(err, path);
  });
  // Judged before opening: opening a named pipe with no writer waits for ever, and a device never ends.
  refuseNonFile(info, path);
  // The format is only certain once the first bytes are read; until then, the largest limit that may apply.
  const format = formatOf(path);
  const limit = opts.maxBytes ?? (format === 'txt' || format === 'md' ? DEFAULT_MAX_BYTES : DEFAULT_MAX_DOCUMENT_BYTES);
  const limitFormat = opts.maxBytes === undefined ? format : null;
  if (info.size > limit) throw tooLarge(path, info.size, limit, limitFormat);
  // Non-blocking, so a path swapped for a pipe since the stat cannot hang us either; checked again once open.
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: unknown) => {
    throw fileError(err, path);
  });
  let read;
  try {
    refuseNonFile(await file.stat(), path);
    // A file that grows while we read it is still cut off just past the limit.
    read = await readAtMost(file.createReadStream({ autoClose: false }), () => limit);
  } catch (err) {
    throw err instanceof UserError ? err : fileError(err, path);
  } finally {
    await file.close().catch(() => {});
  }
  if (!read.ok) throw tooLarge(path, null, read.limit, limitFormat);
  return extractBuffer(read.bytes, path, opts);
}

/**
 * Text from a stream (standard input), read only up to the limit of the format its first bytes show, so an
 * endless stream is refused after that many bytes instead of being read for ever.
 */
export async function extractStream(source: AsyncIterable<Uint8Array>, filename: string, opts: ExtractOptions = {}): Promise<Extracted> {
  if (opts.encoding !== undefined) resolveEncoding(opts.encoding);
  let format: SourceFormat | null = null;
  const read = await readAtMost(source, (head) => {
    format = documentSignature(head) ?? formatOf(filename);
    return opts.maxBytes ?? (format === 'pdf' || format === 'docx' ? DEFAULT_MAX_DOCUMENT_BYTES : DEFAULT_MAX_BYTES);
  });
  if (!read.ok) throw tooLarge(filename, null, read.limit, opts.maxBytes === undefined ? (format ?? 'txt') : null);
  return extractBuffer(read.bytes, filename, opts);
}

function refuseNonFile(info: Stats, path: string): void {
  if (info.isDirectory()) {
    throw new UserError(`${path} is a directory, not a file.`, `Name the play files in it, or its ${PLAY_EXTENSIONS.join(' ')} files with a glob.`);
  }
  if (info.isFile()) return;
  const what = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'not a regular file';
  throw new UserError(
    what === 'not a regular file' ? `${path} is not a regular file.` : `${path} is ${what}, not a file.`,
    'Save the play to a file first, or send it through standard input: `… | playbuddy enqueue - --name play.txt`.',
  );
}

export async function extractBuffer(buf: Uint8Array, filename: string, opts: ExtractOptions = {}): Promise<Extracted> {
  if (opts.encoding !== undefined) resolveEncoding(opts.encoding);
  if (buf.byteLength === 0) throw new UserError(`${filename} is empty.`, 'Check that the file was saved or downloaded completely.');
  const format = sniff(buf, filename);
  const documentFormat = format === 'pdf' || format === 'docx';
  const limit = opts.maxBytes ?? (documentFormat ? DEFAULT_MAX_DOCUMENT_BYTES : DEFAULT_MAX_BYTES);
  if (buf.byteLength > limit) throw tooLarge(filename, buf.byteLength, limit, opts.maxBytes === undefined ? format : null);

  let text: string;
  let encoding: string | null = null;
  if (format === 'pdf') {
    const { pdfToText } = await import('./pdf.js');
    text = cleanExtracted(await pdfToText(buf, filename));
  } else if (format === 'docx') {
    const { docxToText } = await import('./docx.js');
    text = cleanExtracted(await docxToText(buf, filename));
  } else {
    ({ text, encoding } = decodeBytes(buf, filename, opts.encoding));
    if (text.trim() === '') throw new UserError(`${filename} contains only whitespace.`, 'Check that this is the play you meant.');
  }
  const textLimit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const textBytes = Buffer.byteLength(text, 'utf8');
  if (documentFormat && textBytes > textLimit) {
    throw new UserError(
      `${filename} holds ${formatSize(textBytes)} of text, above the limit of ${formatSize(textLimit)} for a play's text.`,
      'Split the document into smaller files.',
    );
  }
  return { text, format, encoding, bytes: buf.byteLength };
}

/** PDF or Word by their first bytes; null for anything else. */
function documentSignature(buf: Uint8Array): 'pdf' | 'docx' | null {
  const head = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, 1024)).toString('latin1');
  // The PDF specification lets readers accept a header after some leading junk, and pdf.js does.
  if (head.includes('%PDF-')) return 'pdf';
  if (head.startsWith('PK\u0003\u0004')) return 'docx';
  return null;
}

/**
 * The content decides over the extension: a PDF saved as `.txt` or a play file without extension is
 * still read for what it is, and formats that cannot be read at all get their own sentence.
 */
function sniff(buf: Uint8Array, filename: string): SourceFormat {
  const signed = documentSignature(buf);
  if (signed) return signed;
  const head = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, 1024)).toString('latin1');
  if (head.startsWith('\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1')) {
    // The OLE container of old .doc files also wraps password-protected .docx files.
    throw new UserError(
      `${filename} is an old-format Word (.doc) file or a password-protected Word document, which playbuddy cannot read.`,
      'Open it in Word or LibreOffice and save it as .docx without a password, or as plain text.',
    );
  }
  if (head.startsWith('{\\rtf')) {
    throw new UserError(`${filename} is an RTF document, which playbuddy cannot read.`, 'Open it in a word processor and save it as .docx or plain text.');
  }
  // A file named .pdf or .docx that is neither gets the reader's "damaged or not a PDF" sentence.
  return formatOf(filename) ?? 'txt';
}

function cleanExtracted(text: string): string {
  // NUL cannot be stored in a PostgreSQL text column, and broken font encodings do produce it.
  return normalizeNewlines(text)
    .replace(/^\ufeff/, '')
    .replace(/\u0000/g, '')
    .replace(/[\u2028\f\v]/g, '\n')
    .replace(/\u2029/g, '\n\n')
    // A soft hyphen only shows where a line was broken inside the word: the word is whole again.
    .replace(/\u00ad\n[ \t]*/g, '')
    .replace(/\u00ad/g, '')
    .replace(/[\u2010\u2011]/g, '-')
    // Fonts with their own encoding (Symbol, Wingdings-like, some PDF producers) put plain characters
    // in the private-use block U+F020–U+F0FF; the low byte is the character.
    .replace(/[\uf020-\uf0ff]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xf000))
    .replace(/[\ufb00-\ufb06]/g, (ch) => ch.normalize('NFKC'));
}

/** `size` null: the input did not end before the limit, so only that it is larger is known. */
function tooLarge(name: string, size: number | null, limit: number, format: SourceFormat | null): UserError {
  const kind = format === null ? '' : format === 'pdf' || format === 'docx' ? ' for PDF and Word files' : ' for text files';
  return new UserError(
    `${name} is ${size === null ? `more than ${formatSize(limit)}` : formatSize(size)}, above the limit of ${formatSize(limit)}${kind}.`,
    'Split the play into smaller files, or check that this is the file you meant.',
  );
}

function formatSize(bytes: number): string {
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

function fileError(err: unknown, path: string): UserError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserError(`${path} does not exist.`, 'Check the path and its spelling.', { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${path} cannot be read: permission denied.`, "Check the file's permissions.", { cause: err });
    case 'EISDIR':
      return new UserError(`${path} is a directory, not a file.`, 'Name the play files in it.', { cause: err });
    default:
      return new UserError(`${path} cannot be read: ${err instanceof Error ? err.message : String(err)}.`, 'Check the file and try again.', {
        cause: err,
      });
  }
}
