import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFile } from '../../src/parse/extract/index.js';
import { parseRules } from '../../src/parse/rules/index.js';
import { ROOT } from '../helpers/cli.js';

const sample = (ext: string) => join(ROOT, 'test', 'fixtures', 'formats', `sample.${ext}`);

describe('one play in three formats', () => {
  it('parses to the same play from its text, PDF and Word versions', async () => {
    const [txt, pdf, docx] = await Promise.all(['txt', 'pdf', 'docx'].map(async (ext) => parseRules((await extractFile(sample(ext))).text).play));
    expect(txt!.characters.length).toBeGreaterThan(2);
    expect(txt!.acts.flatMap((a) => a.scenes).flatMap((s) => s.lines).length).toBeGreaterThan(20);
    expect(pdf).toEqual(txt);
    expect(docx).toEqual(txt);
  });
});
