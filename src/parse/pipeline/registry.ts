import { PermanentError } from '../../errors.js';
import type { ParserName, PlayParser } from '../parser.js';

// The parser of each kind declared in PARSER_KINDS (src/parse/parser.ts); the Record type makes a kind
// without a loader a compile error. Each loads on first use, so a worker that only ever runs the rules
// parser never loads the AI SDK, and is then shared by every job of the process (the LLM parser keeps its
// provider connections).
const PARSERS: Record<ParserName, () => Promise<PlayParser>> = {
  rules: async () => (await import('../rules/parser.js')).rulesParser,
  llm: async () => (await import('../llm/parser.js')).createLlmParser() as PlayParser,
  hybrid: async () => (await import('../hybrid/parser.js')).createHybridParser() as PlayParser,
};

const loaded = new Map<ParserName, Promise<PlayParser>>();

export async function loadParser(name: string): Promise<PlayParser> {
  const load = Object.hasOwn(PARSERS, name) ? PARSERS[name as ParserName] : undefined;
  if (!load) throw new PermanentError(`The "${name}" parser is not available in this version of playbuddy.`);
  let parser = loaded.get(name as ParserName);
  if (!parser) {
    parser = load();
    loaded.set(name as ParserName, parser);
    parser.catch(() => loaded.delete(name as ParserName));
  }
  return parser;
}
