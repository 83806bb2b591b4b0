import { describe, expect, it } from 'vitest';
import { PARSER_NAMES, needsLlmConfig } from '../../src/parse/parser.js';
import { loadParser } from '../../src/parse/pipeline/registry.js';

// The parser kinds are declared once (PARSER_KINDS in src/parse/parser.ts); `enqueue --parser`, the check
// for an LLM configuration and the pipeline's parser all come from that declaration.

describe('the parser kinds', () => {
  it('each has a parser the pipeline loads, carrying the declared name', async () => {
    for (const name of PARSER_NAMES) expect((await loadParser(name)).name).toBe(name);
  });

  it('need an LLM configuration exactly when they call a model', () => {
    expect(PARSER_NAMES.filter(needsLlmConfig)).toEqual(['llm', 'hybrid']);
  });

  it('are the only names the pipeline accepts, whatever else an object has', async () => {
    await expect(loadParser('toString')).rejects.toThrow('The "toString" parser is not available in this version of playbuddy.');
    await expect(loadParser('ocr')).rejects.toThrow('The "ocr" parser is not available in this version of playbuddy.');
  });
});
