import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(ROOT, 'bin', 'playbuddy.js');

/** Imports a compiled module; the benchmarks measure what users run, so they never load src/ through a TS loader. */
export async function fromDist(relative) {
  const file = join(ROOT, 'dist', relative);
  if (!existsSync(file)) {
    console.error(`${relative} is missing from dist/: run \`npm run build\` first.`);
    process.exit(2);
  }
  return import(pathToFileURL(file).href);
}

/**
 * Waits while dist/ is being rebuilt (the build empties it before compiling), so a benchmark that spawns the
 * CLI does not fail because someone ran `npm run build` in the same checkout a moment earlier.
 */
export async function distReady(relative = 'cli/main.js', timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(join(ROOT, 'dist', relative))) {
    if (Date.now() > deadline) throw new Error(`dist/${relative} is missing: run \`npm run build\``);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function distHas(relative) {
  return existsSync(join(ROOT, 'dist', relative));
}
