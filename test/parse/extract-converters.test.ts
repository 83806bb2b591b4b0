// Files laid out the way other tools lay out a play (scripts/fixtures/make-layout-fixtures.py writes them
// from test/fixtures/layouts/*.txt) must give the text back as the text file has it, so they parse alike.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractFile } from '../../src/parse/extract/index.js';
import { parseRules } from '../../src/parse/rules/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/layouts/${name}`, import.meta.url));
const read = async (name: string) => (await extractFile(fixture(name))).text;

/** The standard encoding of PDF fonts draws the ASCII apostrophe as a right quote; the words are the same. */
const apostrophes = (text: string) => text.replace(/’/g, "'");

describe('a text file printed to PDF in a monospaced font', () => {
  it('gives back every line, blank lines, runs of spaces and lines the printer broke included, without the running head', async () => {
    const [txt, pdf] = await Promise.all([read('printout.txt'), read('printout.pdf')]);
    expect(apostrophes(pdf)).toBe(txt.trimEnd());
  });

  it('parses as the text file does', async () => {
    const [txt, pdf] = await Promise.all([read('printout.txt'), read('printout.pdf')]);
    expect(parseRules(apostrophes(pdf)).play).toEqual(parseRules(txt).play);
  });
});

describe('a text file a word processor set in a monospaced face and saved as PDF', () => {
  it('gives back every line whole: lines broken between words or after a hyphen are joined, a long line of the text is not', async () => {
    const [txt, pdf] = await Promise.all([read('wordwrap.txt'), read('wordwrap.pdf')]);
    expect(apostrophes(pdf)).toBe(txt.trimEnd());
  });

  it('parses as the text file does', async () => {
    const [txt, pdf] = await Promise.all([read('wordwrap.txt'), read('wordwrap.pdf')]);
    expect(parseRules(apostrophes(pdf)).play).toEqual(parseRules(txt).play);
  });
});

describe('a play typeset in proportional type, words hyphenated at line ends', () => {
  const words = (text: string) => text.replace(/\s+/g, ' ').trim();

  it('makes each hyphenated word whole and keeps the hyphens of compounds and of an open `fore- and aft`', async () => {
    const [txt, pdf] = await Promise.all([read('hyphenated.txt'), read('hyphenated.pdf')]);
    expect(words(pdf)).toBe(words(txt));
  });

  it('keeps the typeset lines, the whole word on the line where it starts', async () => {
    const lines = (await read('hyphenated.pdf')).split('\n');
    expect(lines).toContain('electric lamps along the whole of the promenade');
    expect(lines).toContain('PETER The council will not wait for handles.');
    expect(lines).toContain('them long after he is dead and buried: fore-');
  });
});

describe('a text file saved as Word by a word processor, a paragraph per line', () => {
  it('gives back every line, blank lines and indentation included', async () => {
    const [txt, docx] = await Promise.all([read('printout.txt'), read('lines.docx')]);
    expect(docx).toBe(txt.trimEnd());
  });
});

describe('a Markdown text converted to Word, directions in italics', () => {
  it('gives back the underscored directions, within speeches and on their own', async () => {
    const [txt, docx] = await Promise.all([read('markdown.txt'), read('markdown.docx')]);
    expect(docx).toBe(txt.trimEnd());
  });

  it('parses as the text file does', async () => {
    const [txt, docx] = await Promise.all([read('markdown.txt'), read('markdown.docx')]);
    expect(parseRules(docx).play).toEqual(parseRules(txt).play);
  });
});

describe('a Word script: centred small-capital labels, a table of speeches, hyphens of other code points', () => {
  it('reads each label over its speech, the table row by row, and the words whole', async () => {
    const [txt, docx] = await Promise.all([read('script.txt'), read('script.docx')]);
    expect(docx).toBe(txt.trimEnd());
  });

  it('parses as the text file does', async () => {
    const [txt, docx] = await Promise.all([read('script.txt'), read('script.docx')]);
    expect(parseRules(docx).play).toEqual(parseRules(txt).play);
  });
});
