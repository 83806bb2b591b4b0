import { PermanentError } from '../../errors.js';
import type { ParserName, PlayParser } from '../parser.js';

// Parsers by the name a job's config gives. Each loads on first use, so a worker that only ever runs the
// rules parser never loads the AI SDK.
const PARSERS: Partial<Record<ParserName, () => Promise<PlayParser>>> = {
  rules: async () => (await import('./rules.js')).rulesParser,
};

export async function loadParser(name: string): Promise<PlayParser> {
  const load = PARSERS[name as ParserName];
  if (!load) throw new PermanentError(`The "${name}" parser is not available in this version of playbuddy.`);
  return load();
}
