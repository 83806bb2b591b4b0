#!/usr/bin/env node
// bench:parse — parse speed of the built-in parser. Parses each play of the corpus (or the committed fixtures,
// see lib/corpus.mjs) after a warm-up and prints one JSON line per measurement, then a summary, then the same
// for all plays run together four times over (an anthology of several megabytes: time, throughput and the
// memory it takes).
//   npm run bench:parse -- [--corpus DIR] [--rounds N] [--copies N]
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { findPlays } from './lib/corpus.mjs';
import { fromDist } from './lib/dist.mjs';

const args = benchArgs({ corpus: { type: 'string' }, rounds: { type: 'string', default: '15' }, copies: { type: 'string', default: '4' } });
const wholeNumber = (flag, value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${flag} must be a whole number of at least 1, not "${value}"`);
    process.exit(2);
  }
  return n;
};
const rounds = wholeNumber('rounds', args.rounds);
const copies = wholeNumber('copies', args.copies);
const { dir, files, looked } = findPlays({ explicit: args.corpus, fallback: join('test', 'fixtures', 'plays') });
if (files.length === 0) {
  console.error(`bench:parse: no plays to parse: looked in ${looked.join(', ')}; pass --corpus <dir of .txt plays> or set PLAYBUDDY_CORPUS`);
  process.exit(2);
}
const { parseRules } = await fromDist('parse/rules/index.js');

const plays = files.map((f) => ({ name: basename(f, '.txt'), text: readFileSync(f, 'utf8') }));

const rows = [];
for (const { name, text } of plays) {
  for (let i = 0; i < 5; i++) parseRules(text);
  // Wall time, and the CPU time the process used, which other work on a busy machine does not inflate.
  const times = [];
  const cpu = [];
  for (let i = 0; i < rounds; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    parseRules(text);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const bytes = Buffer.byteLength(text);
  const median = times[Math.floor(times.length / 2)];
  const row = {
    play: name,
    bytes,
    ms_median: +median.toFixed(2),
    ms_min: +times[0].toFixed(2),
    cpu_ms_median: +cpu[Math.floor(cpu.length / 2)].toFixed(2),
    mb_per_s: +(bytes / 1e6 / (median / 1000)).toFixed(2),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
const totalBytes = rows.reduce((n, r) => n + r.bytes, 0);
const totalMs = rows.reduce((n, r) => n + r.ms_median, 0);
const largest = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
const overall = { play: 'ALL', bytes: totalBytes, ms_median: +totalMs.toFixed(2), mb_per_s: +(totalBytes / 1e6 / (totalMs / 1000)).toFixed(2) };
console.log(JSON.stringify(overall));
console.log(
  `\n${rows.length} plays from ${dir}\n` +
    `throughput ${overall.mb_per_s} MB/s (${(totalBytes / 1e6).toFixed(2)} MB in ${totalMs.toFixed(0)} ms, medians after warm-up)\n` +
    `largest: ${largest.play} (${(largest.bytes / 1024).toFixed(0)} KB) ${largest.ms_median} ms median, ${largest.ms_min} ms best, ` +
    `${largest.cpu_ms_median} ms CPU median`,
);

// Every play run together, as `cat plays/*.txt` a few times over would give.
const joined = Array.from({ length: copies }, () => plays.map((p) => p.text).join('')).join('');
const heapBefore = process.memoryUsage().heapUsed;
const joinedTimes = [];
let result = null;
for (let i = 0; i < 3; i++) {
  const c0 = process.cpuUsage();
  result = parseRules(joined);
  const c = process.cpuUsage(c0);
  joinedTimes.push((c.user + c.system) / 1000);
}
// Heap still held by the result, and the resident size, which keeps the parse's high-water mark.
const { heapUsed, rss } = process.memoryUsage();
const joinedBytes = Buffer.byteLength(joined);
const joinedLines = result.play.acts.reduce((n, a) => n + a.scenes.reduce((m, s) => m + s.lines.length, 0), 0);
const joinedRow = {
  play: `ALL x${copies} in one text`,
  bytes: joinedBytes,
  cpu_ms_first: +joinedTimes[0].toFixed(0),
  cpu_ms_best: +Math.min(...joinedTimes).toFixed(0),
  mb_per_s: +(joinedBytes / 1e6 / (Math.min(...joinedTimes) / 1000)).toFixed(2),
  acts: result.play.acts.length,
  lines: joinedLines,
  characters: result.play.characters.length,
  result_heap_mb: Math.round((heapUsed - heapBefore) / 1e6),
  rss_mb: Math.round(rss / 1e6),
};
console.log(JSON.stringify(joinedRow));
console.log(
  `run together: ${(joinedBytes / 1e6).toFixed(1)} MB, ${joinedRow.acts} acts, ${joinedLines} lines in ${joinedRow.cpu_ms_best} ms CPU ` +
    `(${joinedRow.mb_per_s} MB/s; first run ${joinedRow.cpu_ms_first} ms), result ${joinedRow.result_heap_mb} MB of heap, RSS ${joinedRow.rss_mb} MB`,
);
