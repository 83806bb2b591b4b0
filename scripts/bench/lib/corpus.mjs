import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './dist.mjs';

/**
 * The plays a benchmark runs on: a folder given on the command line or in PLAYBUDDY_CORPUS, else the corpus
 * beside the repository, else committed fixtures (so a fresh clone still has something to run).
 */
export function findPlays({ explicit, fallback }) {
  const candidates = [
    explicit && resolve(explicit),
    process.env.PLAYBUDDY_CORPUS && resolve(process.env.PLAYBUDDY_CORPUS),
    resolve(ROOT, '..', 'shared', 'corpus', 'plays'),
    join(ROOT, fallback),
  ].filter(Boolean);
  for (const dir of candidates) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(dir, f));
    if (files.length > 0) return { dir, files, looked: candidates };
  }
  return { dir: null, files: [], looked: candidates };
}
