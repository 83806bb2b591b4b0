import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { extractBuffer, extractFile } from '../../src/parse/extract/index.js';
import { rejectionOf } from '../helpers/wait.js';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const SAMPLE = fixture('formats/sample');

/** Lines with trailing whitespace removed and blank lines dropped: the structure a parser reads. */
function nonEmptyLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
}

async function failure(run: Promise<unknown>): Promise<UserError> {
  const err = await rejectionOf(run);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('the sample play in three formats', () => {
  it('reads the text version', async () => {
    const txt = await extractFile(`${SAMPLE}.txt`);
    expect(txt).toMatchObject({ format: 'txt', encoding: 'utf-8' });
    expect(txt.text).toContain('    sit here in shadow, mending what the sea');
  });

  it('gives the same lines, indentation included, from the PDF', async () => {
    const [txt, pdf] = await Promise.all([extractFile(`${SAMPLE}.txt`), extractFile(`${SAMPLE}.pdf`)]);
    expect(pdf).toMatchObject({ format: 'pdf', encoding: null });
    // Running heads and page numbers are gone, non-ASCII survives, the bold cue joins its speech.
    expect(nonEmptyLines(pdf.text)).toEqual(nonEmptyLines(txt.text));
  });

  it('keeps the paragraph breaks of the PDF except those that fall on a page break', async () => {
    const [txt, pdf] = await Promise.all([extractFile(`${SAMPLE}.txt`), extractFile(`${SAMPLE}.pdf`)]);
    const blankLines = (text: string) => text.split('\n').filter((line) => line.trim() === '').length;
    expect(blankLines(pdf.text)).toBeGreaterThanOrEqual(blankLines(txt.text) - 3);
    expect(pdf.text).toContain('ACT I\n\nSCENE 1\n\n    A room at the foot');
  });

  it('gives exactly the text from the Word document', async () => {
    const [txt, docx] = await Promise.all([extractFile(`${SAMPLE}.txt`), extractFile(`${SAMPLE}.docx`)]);
    expect(docx).toMatchObject({ format: 'docx', encoding: null });
    expect(docx.text).toBe(txt.text.trimEnd());
  });

  it('reads a PDF by its content whatever its name', async () => {
    const bytes = await readFile(`${SAMPLE}.pdf`);
    const got = await extractBuffer(bytes, 'download');
    expect(got.format).toBe('pdf');
    expect(got.text).toContain('THE LANTERN KEEPER');
  });
});

describe('Word features', () => {
  it('drops footnotes and turns a hanging indent into leading spaces', async () => {
    const got = await extractFile(fixture('extract/notes.docx'));
    expect(got.text).toBe('MARGERY. The light is mine, and mine the keeping of it.\n\nTOBIAS.\n      Then go, and take the lamp.');
  });
});

describe('unreadable documents', () => {
  it('reports a password-protected PDF', async () => {
    const path = fixture('extract/encrypted.pdf');
    const err = await failure(extractFile(path));
    expect(err.message).toBe(`${path} is password-protected.`);
    expect(err.hint).toBeTruthy();
  });

  it('reports a PDF without a text layer', async () => {
    const path = fixture('extract/scanned.pdf');
    const err = await failure(extractFile(path));
    expect(err.message).toBe(`${path} has no text layer: it looks like a scanned image.`);
    expect(err.hint).toMatch(/OCR/);
  });

  it('reports a damaged PDF, and a file named .pdf that is not one', async () => {
    const path = fixture('extract/corrupt.pdf');
    expect((await failure(extractFile(path))).message).toBe(`${path} is not a readable PDF: it is damaged or not a PDF at all.`);
    expect((await failure(extractBuffer(Buffer.from('<html>Not found</html>'), 'play.pdf'))).message).toBe(
      'play.pdf is not a readable PDF: it is damaged or not a PDF at all.',
    );
  });

  it('reports a damaged Word document, and a zip without a document in it', async () => {
    for (const name of ['corrupt.docx', 'no-document.docx']) {
      const path = fixture(`extract/${name}`);
      expect((await failure(extractFile(path))).message).toBe(
        `${path} is not a readable Word document: it is damaged or not a .docx file.`,
      );
    }
  });

  it('never lets random bytes through as anything but a UserError', async () => {
    const pdf = await readFile(`${SAMPLE}.pdf`);
    const docx = await readFile(`${SAMPLE}.docx`);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20; i++) {
      for (const [original, name] of [
        [pdf, 'x.pdf'],
        [docx, 'x.docx'],
      ] as const) {
        const damaged = Uint8Array.from(original);
        for (let k = 0; k < 20; k++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        await extractBuffer(damaged, name).catch((err: unknown) => expect(err).toBeInstanceOf(UserError));
      }
    }
  });
});
