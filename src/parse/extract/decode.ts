// Bytes of a text file → its text. Plays come from every era of text files: UTF-8 from Project
// Gutenberg, UTF-16 from Windows editors, Windows-1252 from old web pages, KOI8-R and Windows-1251 from
// Russian archives. Only what can be recognised safely is guessed; everything else needs --encoding.
import { UserError } from '../../errors.js';

export interface Decoded {
  text: string;
  /** The WHATWG name of the encoding used, e.g. "utf-8", "windows-1252". */
  encoding: string;
}

const ENCODING_HINT =
  'Pass the encoding with --encoding, e.g. --encoding windows-1251 (Cyrillic Windows), --encoding koi8-r or --encoding latin1.';

/** Resolves an --encoding label, so that a typo is reported before any file is read. */
export function resolveEncoding(label: string): string {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    throw new UserError(
      `Unknown encoding "${label}".`,
      'Use a standard label such as utf-8, utf-16le, utf-16be, windows-1252, latin1, windows-1251 or koi8-r.',
    );
  }
}

/** Decodes `bytes`; `name` is how the input is called in error messages (a file name). */
export function decodeBytes(bytes: Uint8Array, name: string, forced?: string): Decoded {
  const decoded = forced === undefined ? detectAndDecode(bytes, name) : decodeForced(bytes, name, resolveEncoding(forced));
  checkLooksLikeText(decoded.text, name);
  return { text: normalizeNewlines(decoded.text), encoding: decoded.encoding };
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function detectAndDecode(bytes: Uint8Array, name: string): Decoded {
  const bom = bomEncoding(bytes);
  if (bom) return decodeStrict(bytes, name, bom, `it starts with a ${bom} byte-order mark but is not valid ${bom}`);
  // NUL is valid UTF-8 but never occurs in text, and PostgreSQL cannot store it in a text column.
  if (bytes.includes(0)) throw binaryFile(name, true);
  const utf8 = tryDecode(bytes, 'utf-8');
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8' };
  checkNotMostlyUtf8(bytes, name);
  const cp1252 = tryDecode(bytes, 'windows-1252') ?? '';
  if (controlRatio(cp1252) > MAX_CONTROL_RATIO) throw binaryFile(name, false);
  if (!looksWestern(cp1252)) {
    throw new UserError(`${name} is neither UTF-8 nor Western European (Windows-1252) text.`, ENCODING_HINT);
  }
  return { text: cp1252, encoding: 'windows-1252' };
}

/**
 * A UTF-8 file with a few bytes in another encoding (a line pasted from an old file) would turn into
 * mojibake on every accented letter if read as Windows-1252, so it is refused with the place to fix.
 * In genuine Windows-1252 text, byte pairs that happen to be valid UTF-8 are far rarer than invalid ones.
 */
function checkNotMostlyUtf8(bytes: Uint8Array, name: string): void {
  const lenient = new TextDecoder('utf-8').decode(bytes);
  let valid = 0;
  let invalid = 0;
  for (const ch of lenient) {
    if (ch === '\ufffd') invalid++;
    else if (ch >= '\u0080') valid++;
  }
  if (valid <= invalid) return;
  const line = lenient.slice(0, lenient.indexOf('\ufffd')).split(/\r\n?|\n/).length;
  throw new UserError(
    `${name} is UTF-8 except for ${invalid} invalid byte${invalid === 1 ? '' : 's'}, the first on line ${line}.`,
    'Fix those characters and save the file as UTF-8, or pass --encoding if the whole file is in another encoding.',
  );
}

function decodeForced(bytes: Uint8Array, name: string, encoding: string): Decoded {
  return decodeStrict(bytes, name, encoding, `it is not valid ${encoding}`);
}

function decodeStrict(bytes: Uint8Array, name: string, encoding: string, reason: string): Decoded {
  const text = tryDecode(bytes, encoding);
  if (text === null) throw new UserError(`${name} cannot be decoded: ${reason}.`, ENCODING_HINT);
  return { text, encoding };
}

function tryDecode(bytes: Uint8Array, encoding: string): string | null {
  let text: string;
  try {
    // The decoder strips a byte-order mark of its own encoding (ignoreBOM defaults to false).
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return encoding === 'windows-1252' ? fixWindows1252(text) : text;
}

/**
 * Bytes 0x80–0x9F as Windows-1252 reads them (curly quotes, dashes, €, Œ…); the five it leaves
 * undefined stay control characters.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Node 20's TextDecoder decodes every Windows-1252 label (latin1, iso-8859-1, ascii…) as ISO-8859-1,
 * which turns 0x80–0x9F into control characters; old plays are full of the quotes and dashes there.
 */
function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!);
}

function bomEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** Above this share of control characters a "text" is really binary data (random bytes give ~12 %). */
const MAX_CONTROL_RATIO = 0.005;
// Tab, line feed, vertical tab, form feed (page breaks in old text files), carriage return and
// DOS's end-of-file mark occur in genuine text files; other C0 and all C1 controls do not.
const CONTROL = /[\u0000-\u0008\u000e-\u0019\u001b-\u001f\u007f-\u009f]/g;

function controlRatio(text: string): number {
  if (text.length === 0) return 0;
  return (text.match(CONTROL)?.length ?? 0) / text.length;
}

function checkLooksLikeText(text: string, name: string): void {
  if (text.includes('\u0000') || controlRatio(text) > MAX_CONTROL_RATIO) throw binaryFile(name, false);
}

function binaryFile(name: string, mayBeUtf16: boolean): UserError {
  return new UserError(
    `${name} is a binary file, not text.`,
    mayBeUtf16
      ? 'Playbuddy reads .txt, .md, .pdf and .docx plays; if this is UTF-16 text without a byte-order mark, pass --encoding utf-16le (or utf-16be).'
      : 'Playbuddy reads .txt, .md, .pdf and .docx plays.',
  );
}

/**
 * In French, German or Spanish text decoded as Windows-1252, accented letters are a small share of
 * all letters. Text in another 8-bit encoding (Windows-1251, KOI8-R, Greek…) decodes to a wall of
 * accented Latin letters instead, which is mojibake, not text.
 */
function looksWestern(text: string): boolean {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) ascii++;
    else if (ch >= '\u00c0' && ch <= '\u00ff') other++;
  }
  return other <= 0.3 * (ascii + other);
}
