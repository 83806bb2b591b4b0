import type { PlayParser } from '../../src/parse/parser.js';

// Types for paragraph-parser.mjs, which stays plain JavaScript so a worker process running dist/ can load it.
export function paragraphParser(delayMs?: number): PlayParser<unknown, unknown>;
/** A play of `n` one-paragraph speeches for that parser. */
export function paragraphPlay(n: number): string;
