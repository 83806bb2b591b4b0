import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './dist.mjs';

/**
 * The plays a benchmark runs on: the folder given by --corpus or PLAYBUDDY_CORPUS (the corpus itself or its
 * plays/ folder), and only that one, so a mistyped path is reported instead of quietly measuring other plays;
 * without either, the corpus beside the repository, else committed fixtures (so a fresh clone still has
 * something to run).
 */
export function findPlays({ explicit, fallback }) {
  const chosen = explicit ?? process.env.PLAYBUDDY_CORPUS;
  const candidates = chosen
    ? [resolve(chosen), resolve(chosen, 'plays')]
    : [resolve(ROOT, '..', 'shared', 'corpus', 'plays'), join(ROOT, fallback)];
  for (const dir of candidates) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(dir, f));
    if (files.length > 0) return { dir, files, looked: candidates };
  }
  return { dir: null, files: [], looked: candidates };
}
