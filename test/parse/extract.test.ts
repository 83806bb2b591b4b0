import { chmod, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  DEFAULT_MAX_BYTES,
  PLAY_EXTENSIONS,
  decodeText,
  extractBuffer,
  extractFile,
  formatOf,
} from '../../src/parse/extract/index.js';
import { rejectionOf } from '../helpers/wait.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playbuddy-extract-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The UserError an extraction fails with; fails the test if it succeeds or throws anything else. */
async function failure(run: Promise<unknown>): Promise<UserError> {
  const err = await rejectionOf(run);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

/** Encodes text in a single-byte encoding that TextEncoder cannot write, by inverting its decoder. */
function encodeSingleByte(text: string, encoding: string): Uint8Array {
  const decoder = new TextDecoder(encoding);
  const table = new Map<string, number>();
  for (let b = 255; b >= 0; b--) table.set(decoder.decode(Uint8Array.of(b)), b);
  return Uint8Array.from([...text].map((ch) => table.get(ch) ?? 0x3f));
}

/** Windows-1252 by hand: Node 20's decoder for it is really ISO-8859-1, so it cannot serve as the reference. */
function cp1252(text: string): Uint8Array {
  return Buffer.from(text.replace(/—/g, '\u0097').replace(/’/g, '\u0092').replace(/€/g, '\u0080'), 'latin1');
}

function utf16(text: string, endian: 'le' | 'be', bom = true): Uint8Array {
  const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  return endian === 'le' ? le : le.swap16();
}

const RUSSIAN = 'ДЕЙСТВИЕ ПЕРВОЕ\n\nЯвление первое\n\nСМИРНОВ. Здравствуйте, сударыня!\n';
const FRENCH = 'ACTE PREMIER\n\nSCÈNE PREMIÈRE\n\nVALÈRE. Hé quoi ! charmante Élise, vous devenez mélancolique — après l’or et 3 €.\n';

describe('formats and extensions', () => {
  it('knows the play extensions, in any case', () => {
    expect(PLAY_EXTENSIONS).toEqual(['.txt', '.md', '.pdf', '.docx']);
    expect(formatOf('Hamlet.TXT')).toBe('txt');
    expect(formatOf('notes/scene.md')).toBe('md');
    expect(formatOf('a.b/play.Pdf')).toBe('pdf');
    expect(formatOf('play.docx')).toBe('docx');
    expect(formatOf('play.doc')).toBeNull();
    expect(formatOf('README')).toBeNull();
  });

  it('reads a file without extension as text, and a .md file as markdown', async () => {
    expect(await extractFile(await file('PLAY', 'ACT I\n'))).toMatchObject({ format: 'txt', text: 'ACT I\n' });
    expect(await extractFile(await file('scene.md', '# ACT I\n'))).toMatchObject({ format: 'md', text: '# ACT I\n' });
  });
});

describe('text encodings', () => {
  it('reads UTF-8 without a byte-order mark', async () => {
    const got = await extractBuffer(new TextEncoder().encode(FRENCH), 'avare.txt');
    expect(got).toEqual({ text: FRENCH, format: 'txt', encoding: 'utf-8', bytes: new TextEncoder().encode(FRENCH).length });
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(FRENCH)]);
    expect(await extractBuffer(bytes, 'avare.txt')).toMatchObject({ text: FRENCH, encoding: 'utf-8' });
  });

  it('reads UTF-16 with a byte-order mark, little- and big-endian', async () => {
    expect(await extractBuffer(utf16(RUSSIAN, 'le'), 'medved.txt')).toMatchObject({ text: RUSSIAN, encoding: 'utf-16le' });
    expect(await extractBuffer(utf16(RUSSIAN, 'be'), 'medved.txt')).toMatchObject({ text: RUSSIAN, encoding: 'utf-16be' });
  });

  it('normalises CRLF and CR line ends to LF', async () => {
    expect((await extractBuffer(Buffer.from('ACT I\r\n\r\nSCENE 1\rHAMLET.\r\n'), 'x.txt')).text).toBe('ACT I\n\nSCENE 1\nHAMLET.\n');
    expect((await extractBuffer(utf16('A\r\nB', 'le'), 'x.txt')).text).toBe('A\nB');
  });

  it('falls back to Windows-1252 for Western European text that is not UTF-8', async () => {
    const bytes = cp1252(FRENCH);
    expect(await extractFile(await file('avare-latin1.txt', bytes))).toMatchObject({ text: FRENCH, encoding: 'windows-1252' });
  });

  it('refuses UTF-8 with a few bytes in another encoding, naming the line', async () => {
    const bytes = Buffer.concat([Buffer.from('ACTE PREMIER\nSCÈNE PREMIÈRE\nÉLISE. Hé quoi !\n'), cp1252('VALÈRE. Où — ?\n')]);
    const err = await failure(extractBuffer(bytes, 'avare.txt'));
    expect(err.message).toBe('avare.txt is UTF-8 except for 3 invalid bytes, the first on line 4.');
  });

  it('reads German Windows-1252 text whose „quotes“ happen to form UTF-8 byte pairs', async () => {
    const text = 'ERSTER AUFZUG\n\nADAM. Ein Gruß“ an Sie, Frau Marthe! Wäre das nicht schön? Über Nacht…\n';
    const bytes = Buffer.from(text.replace(/“/g, '\u0093').replace(/„/g, '\u0084').replace(/…/g, '\u0085'), 'latin1');
    expect(await extractBuffer(bytes, 'krug.txt')).toMatchObject({ text, encoding: 'windows-1252' });
  });

  it('refuses to guess a Cyrillic 8-bit encoding, and reads it when told', async () => {
    const koi8 = await file('medved-koi8.txt', encodeSingleByte(RUSSIAN, 'koi8-r'));
    const err = await failure(extractFile(koi8));
    expect(err.message).toBe(`${koi8} is neither UTF-8 nor Western European (Windows-1252) text.`);
    expect(err.hint).toMatch(/--encoding/);
    expect(await extractFile(koi8, { encoding: 'koi8-r' })).toMatchObject({ text: RUSSIAN, encoding: 'koi8-r' });

    const cp1251 = encodeSingleByte(RUSSIAN, 'windows-1251');
    expect(await extractBuffer(cp1251, 'medved.txt', { encoding: 'windows-1251' })).toMatchObject({ text: RUSSIAN, encoding: 'windows-1251' });
  });

  it('accepts encoding labels in any spelling the standard allows', async () => {
    const bytes = cp1252('Scène — 3 €');
    expect(await extractBuffer(bytes, 'x.txt', { encoding: 'latin1' })).toMatchObject({ text: 'Scène — 3 €', encoding: 'windows-1252' });
    expect(await extractBuffer(bytes, 'x.txt', { encoding: ' ISO-8859-1 ' })).toMatchObject({ text: 'Scène — 3 €' });
  });

  it('reads UTF-16 without a byte-order mark only when told', async () => {
    const bytes = utf16(FRENCH, 'le', false);
    const err = await failure(extractBuffer(bytes, 'avare.txt'));
    expect(err.message).toBe('avare.txt is a binary file, not text.');
    expect(err.hint).toMatch(/--encoding utf-16le/);
    expect(await extractBuffer(bytes, 'avare.txt', { encoding: 'utf-16le' })).toMatchObject({ text: FRENCH });
  });

  it('reports a forced encoding the bytes do not match', async () => {
    const err = await failure(extractBuffer(cp1252(FRENCH), 'avare.txt', { encoding: 'utf-8' }));
    expect(err.message).toBe('avare.txt cannot be decoded: it is not valid utf-8.');
  });

  it('reports invalid bytes after a UTF-8 byte-order mark', async () => {
    const err = await failure(extractBuffer(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41, 0xff, 0x42), 'x.txt'));
    expect(err.message).toBe('x.txt cannot be decoded: it starts with a utf-8 byte-order mark but is not valid utf-8.');
  });

  it('reports an unknown encoding label before reading any file', async () => {
    const err = await failure(extractFile(join(dir, 'does-not-exist.txt'), { encoding: 'klingon' }));
    expect(err.message).toBe('Unknown encoding "klingon".');
    expect(err.hint).toMatch(/koi8-r/);
  });

  it('keeps the control characters old text files contain', async () => {
    const text = `${'HAMLET. To be, or not to be.\n'.repeat(40)}\fACT II\n\u001a`;
    expect((await extractBuffer(Buffer.from(text, 'latin1'), 'old.txt')).text).toBe(text);
  });

  it('decodes bytes without a file through decodeText', () => {
    expect(decodeText(new TextEncoder().encode('A\r\nB'))).toEqual({ text: 'A\nB', encoding: 'utf-8' });
    expect(decodeText(encodeSingleByte(RUSSIAN, 'koi8-r'), 'koi8-r')).toEqual({ text: RUSSIAN, encoding: 'koi8-r' });
    expect(() => decodeText(Uint8Array.of(1, 2, 3, 0))).toThrow('The input is a binary file, not text.');
  });
});

describe('bad files', () => {
  it('reports a missing file', async () => {
    const path = join(dir, 'missing.txt');
    const err = await failure(extractFile(path));
    expect(err.message).toBe(`${path} does not exist.`);
    expect(err.hint).toBeTruthy();
  });

  it('reports a directory', async () => {
    const sub = join(dir, 'plays');
    await mkdir(sub, { recursive: true });
    expect((await failure(extractFile(sub))).message).toBe(`${sub} is a directory, not a file.`);
  });

  it.skipIf(process.getuid?.() === 0)('reports a file it may not read', async () => {
    const path = await file('secret.txt', 'ACT I\n');
    await chmod(path, 0o000);
    expect((await failure(extractFile(path))).message).toBe(`${path} cannot be read: permission denied.`);
  });

  it('reports a device that is not a regular file', async () => {
    expect((await failure(extractFile('/dev/null'))).message).toBe('/dev/null is a device, not a file.');
  });

  it('reports an empty file, and one with only whitespace', async () => {
    const empty = await file('empty.txt', '');
    expect((await failure(extractFile(empty))).message).toBe(`${empty} is empty.`);
    const blank = await file('blank.txt', ' \r\n\t\n');
    expect((await failure(extractFile(blank))).message).toBe(`${blank} contains only whitespace.`);
  });

  it('reports binary files, with or without NUL bytes', async () => {
    const png = await file('cover.txt', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d));
    expect((await failure(extractFile(png))).message).toBe(`${png} is a binary file, not text.`);
    // Bytes 1..255 repeated: no NUL, invalid UTF-8, and Windows-1252 turns them into many control characters.
    const noNul = Uint8Array.from({ length: 2550 }, (_, i) => (i % 255) + 1);
    expect((await failure(extractBuffer(noNul, 'noise.txt'))).message).toBe('noise.txt is a binary file, not text.');
  });

  it('names old Word and RTF files instead of reading them as text', async () => {
    const doc = Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0);
    expect((await failure(extractBuffer(doc, 'play.doc'))).message).toBe(
      'play.doc is an old-format Word (.doc) file or a password-protected Word document, which playbuddy cannot read.',
    );
    expect((await failure(extractBuffer(Buffer.from('{\\rtf1\\ansi ACT I}'), 'play.rtf'))).message).toBe(
      'play.rtf is an RTF document, which playbuddy cannot read.',
    );
  });

  it('accepts 5 MB of text and refuses text files above 20 MB, saying the limit', async () => {
    const scene = 'HAMLET. To be, or not to be, that is the question.\n';
    const big = scene.repeat(Math.ceil((5 * 1024 * 1024) / scene.length));
    const path = await file('big.txt', big);
    const started = performance.now();
    const got = await extractFile(path);
    const ms = performance.now() - started;
    expect(got.text.length).toBe(big.length);
    expect(ms).toBeLessThan(2000);

    expect(DEFAULT_MAX_BYTES).toBe(20 * 1024 * 1024);
    const huge = join(dir, 'huge.txt');
    await writeFile(huge, '');
    await truncate(huge, 21 * 1024 * 1024);
    expect((await failure(extractFile(huge))).message).toBe(`${huge} is 21 MB, above the limit of 20 MB for text files.`);
  });

  it('applies a caller-given limit to files and buffers', async () => {
    const path = await file('small.txt', 'x'.repeat(2048));
    expect((await failure(extractFile(path, { maxBytes: 1024 }))).message).toBe(`${path} is 2 KB, above the limit of 1 KB.`);
    expect((await failure(extractBuffer(new Uint8Array(2048).fill(65), 'stdin', { maxBytes: 1000 }))).message).toBe(
      'stdin is 2 KB, above the limit of 1000 bytes.',
    );
  });
});
