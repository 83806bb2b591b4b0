#!/usr/bin/env node
// Runs the built-in parser over a corpus folder (plays/<slug>.txt, truth/<slug>.json) and scores it with
// the corpus's score.py when the folder has one; otherwise prints a summary per play.
//   npm run eval [corpusDir] [-- --keep]     (default corpus: ../shared/corpus; build first: npx tsc -p tsconfig.json)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const corpus = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, '..', 'shared', 'corpus'));
const playsDir = join(corpus, 'plays');
if (!existsSync(playsDir)) {
  console.error(`eval: no plays/ folder in ${corpus}`);
  process.exit(2);
}
const parserPath = join(root, 'dist', 'parse', 'rules', 'index.js');
if (!existsSync(parserPath)) {
  console.error('eval: dist/ has no parser; run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}
const { parseRules } = await import(parserPath);

const out = mkdtempSync(join(tmpdir(), 'playbuddy-eval-'));
mkdirSync(out, { recursive: true });
const summaries = [];
for (const file of readdirSync(playsDir).filter((f) => f.endsWith('.txt')).sort()) {
  const slug = file.slice(0, -4);
  const text = readFileSync(join(playsDir, file), 'utf8');
  const t0 = performance.now();
  let play;
  try {
    play = parseRules(text, { filename: file }).play;
  } catch (err) {
    summaries.push(`${slug}: ${err.name}: ${err.message}`);
    writeFileSync(join(out, `${slug}.json`), '{}');
    continue;
  }
  const ms = performance.now() - t0;
  writeFileSync(join(out, `${slug}.json`), JSON.stringify(play));
  const lines = play.acts.flatMap((a) => a.scenes.flatMap((s) => s.lines));
  const speeches = lines.filter((l) => l.type === 'dialogue').length;
  const scenes = play.acts.reduce((n, a) => n + a.scenes.length, 0);
  summaries.push(
    `${slug}: "${play.title}" by ${play.author || '?'} — ${play.acts.length} acts, ${scenes} scenes, ` +
      `${speeches} dialogue lines, ${lines.length - speeches} directions, ${play.characters.length} characters, ${ms.toFixed(1)} ms`,
  );
}

let status = 0;
const scorer = join(corpus, 'score.py');
if (existsSync(scorer) && existsSync(join(corpus, 'truth'))) {
  const r = spawnSync('python3', [scorer, corpus, '--json-dir', out], { stdio: 'inherit' });
  status = r.status ?? 1;
} else {
  for (const s of summaries) console.log(s);
}
if (keep) console.error(`eval: parsed plays kept in ${out}`);
else rmSync(out, { recursive: true, force: true });
process.exit(status);
