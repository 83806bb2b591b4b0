#!/usr/bin/env node
// Runs the built-in parser over a corpus folder (plays/<slug>.txt, truth/<slug>.json) and scores it with
// the corpus's score.py when the folder has one; otherwise prints a summary per play.
//   npm run eval [corpusDir] [-- --keep]     (default corpus: the nearest ../shared/corpus; build first: npm run build)
// The scorer's table gives attribution, character F1, structure, and the verse and prose line-structure
// figures per play; below it, the emphasis markup (`_word_`, `*word*`) left in titles and lines.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
// A worktree sits one level deeper than the checkout the shared folder is next to.
const defaultCorpus = [join(root, '..', 'shared', 'corpus'), join(root, '..', '..', 'shared', 'corpus')].find((d) => existsSync(d));
const corpus = resolve(args.find((a) => !a.startsWith('--')) ?? defaultCorpus ?? join(root, '..', 'shared', 'corpus'));
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
// Underscores or asterisks hugging words: what a plain-text edition uses for italics.
const EMPHASIS = /(^|[^\p{L}\p{N}_*])([_*]{1,2})(?=[^\s_*])([^_*\n]*?[^\s_*])\2(?=$|[^\p{L}\p{N}_*])/u;
const emphasis = [];
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
  // A line that is only `_À part._` is a direction the parser kept inside a speech, in a play that marks
  // its directions so; markup is underscores or asterisks around words within running text.
  const marked = [play.title, ...lines.map((l) => l.text)].filter((t) => t.split('\n').some((ln) => EMPHASIS.test(ln) && !/^\s*_[^_]+_[.,;:]?\s*$/.test(ln)));
  if (marked.length) emphasis.push(`${slug}: ${marked.length} (${marked[0].slice(0, 60)})`);
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
console.log(`emphasis markup left: ${emphasis.length ? emphasis.join('; ') : 0}`);
if (keep) console.error(`eval: parsed plays kept in ${out}`);
else rmSync(out, { recursive: true, force: true });
process.exit(status);
