#!/usr/bin/env node
// bench:llm — the LLM parsers through the real pipeline (in process), against a local model server that
// answers every call after a realistic delay (3 s by default):
//   1. Hamlet's wall time with one scene at a time (--llm-concurrency 1) and with eight (target: at least
//      4× faster, and under 3 minutes either way); the hybrid parser's time at eight for comparison.
//   2. Tokens per play for `llm` and `hybrid` over the corpus (target: hybrid at most 10 % of llm). Only
//      tokens matter there, so the server answers after --corpus-delay-ms instead.
// One JSON line per measurement on stdout, the summary on stderr.
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { findPlays } from './lib/corpus.mjs';
import { ROOT, fromDist } from './lib/dist.mjs';
import { startBenchDouble } from './lib/llm-double.mjs';
import { Report, machine, printSummary, progress } from './lib/report.mjs';
import { round } from './lib/stats.mjs';

const args = benchArgs({
  corpus: { type: 'string' },
  'delay-ms': { type: 'string', default: '3000' },
  'corpus-delay-ms': { type: 'string', default: '20' },
  concurrency: { type: 'string', default: '8' },
});
if (args.help) {
  process.stderr.write('usage: npm run bench:llm -- [--delay-ms 3000] [--corpus-delay-ms 20] [--concurrency 8] [--corpus DIR]\n');
  process.exit(0);
}
const delayMs = wholeNumber('--delay-ms', args['delay-ms']);
const corpusDelayMs = wholeNumber('--corpus-delay-ms', args['corpus-delay-ms']);
const concurrency = wholeNumber('--concurrency', args.concurrency);

const [{ runPipeline }, { createLlmParser }, { createHybridParser }, { TEXT_OPEN, TEXT_CLOSE }, { PASSAGE_OPEN }] = await Promise.all([
  fromDist('parse/pipeline/run.js'),
  fromDist('parse/llm/parser.js'),
  fromDist('parse/hybrid/parser.js'),
  fromDist('llm/prompt.js'),
  fromDist('parse/hybrid/prompt.js'),
]);
const markers = { textOpen: TEXT_OPEN, textClose: TEXT_CLOSE, passageOpen: PASSAGE_OPEN };
// The model server needs no key; prices are those of a mid-range hosted model, so cost is shown too.
const ENV = { PLAYBUDDY_LLM_PRICES: JSON.stringify({ 'openai-compatible/bench-model': { input: 3, output: 15 } }), PLAYBUDDY_LLM_MAX_REQUESTS: String(Math.max(8, concurrency)) };
const CHUNK_SIZE = 12_000;

function wholeNumber(flag, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${flag} must be a whole number, not "${value}"`);
    process.exit(2);
  }
  return n;
}

async function parse(file, parserName, baseUrl, llmConcurrency) {
  const parser = parserName === 'llm' ? createLlmParser({ env: ENV }) : createHybridParser({ env: ENV });
  const usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const started = performance.now();
  const outcome = await runPipeline(
    {
      text: readFileSync(file, 'utf8'),
      filename: basename(file),
      config: { parser: parserName, chunkSize: CHUNK_SIZE, provider: 'openai-compatible', model: 'bench-model', baseUrl, llmConcurrency },
      parser,
    },
    {
      usage: async (u) => {
        usage.inputTokens += u.inputTokens;
        usage.outputTokens += u.outputTokens;
        usage.costUsd += u.costUsd;
      },
    },
  );
  const lines = outcome.play.acts.reduce((n, a) => n + a.scenes.reduce((m, s) => m + s.lines.length, 0), 0);
  return { seconds: (performance.now() - started) / 1000, chunks: outcome.totalChunks, lines, ...usage, tokens: usage.inputTokens + usage.outputTokens };
}

const report = new Report('llm');
const started = Date.now();
report.emit({ system: 'machine', metric: 'machine', ...machine(), delay_ms: delayMs, corpus_delay_ms: corpusDelayMs, started_at: new Date().toISOString() });
const found = findPlays({ explicit: args.corpus, fallback: join('test', 'llm', 'fixtures') });
if (found.files.length === 0) throw new Error(`no plays found in ${found.looked.join(', ')}`);
const plays = found.files;
const hamlet = plays.find((f) => basename(f) === 'shakespeare-hamlet.txt') ?? [...plays].sort((a, b) => statSync(b).size - statSync(a).size)[0];

// 1. Wall time on one long play.
const slow = await startBenchDouble({ delayMs, markers });
try {
  const runs = [
    ['llm', 1, 'sequential'],
    ['llm', concurrency, 'concurrent'],
    ['hybrid', concurrency, 'concurrent'],
  ];
  for (const [parserName, llmConcurrency, mode] of runs) {
    progress(`${basename(hamlet)}: ${parserName} at --llm-concurrency ${llmConcurrency}, ${delayMs} ms a call`);
    const before = slow.requests;
    const r = await parse(hamlet, parserName, slow.url, llmConcurrency);
    report.emit({
      system: parserName, metric: `wall time, ${mode}`, unit: 's', value: round(r.seconds, 1),
      play: basename(hamlet), llm_concurrency: llmConcurrency, calls: slow.requests - before, chunks: r.chunks, lines: r.lines, tokens: r.tokens,
    });
  }
  const sequential = report.valueOf('llm', 'wall time, sequential');
  const parallel = report.valueOf('llm', 'wall time, concurrent');
  report.emit({ system: 'llm', metric: 'speed-up', unit: '×', value: round(sequential / parallel, 2), target: '>= 4', under_3_minutes: Math.max(sequential, parallel) < 180 });
} finally {
  await slow.close();
}

// 2. Tokens per play over the corpus.
const quick = await startBenchDouble({ delayMs: corpusDelayMs, markers });
const totals = { llm: { tokens: 0, costUsd: 0, plays: 0 }, hybrid: { tokens: 0, costUsd: 0, plays: 0 } };
try {
  for (const file of plays) {
    const measured = {};
    for (const parserName of ['llm', 'hybrid']) {
      try {
        measured[parserName] = await parse(file, parserName, quick.url, concurrency);
      } catch (err) {
        report.emit({ system: parserName, metric: 'play failed', play: basename(file), error: String(err?.message ?? err) });
      }
    }
    if (!measured.llm || !measured.hybrid) continue;
    for (const parserName of ['llm', 'hybrid']) {
      const r = measured[parserName];
      totals[parserName].tokens += r.tokens;
      totals[parserName].costUsd += r.costUsd;
      totals[parserName].plays += 1;
      report.emit({
        system: parserName, metric: 'tokens, one play', unit: 'tokens', value: r.tokens, play: basename(file),
        input_tokens: r.inputTokens, output_tokens: r.outputTokens, chunks: r.chunks, cost_usd: round(r.costUsd, 4),
      });
    }
    progress(`${basename(file)}: llm ${measured.llm.tokens} tokens, hybrid ${measured.hybrid.tokens}`);
  }
} finally {
  await quick.close();
}
for (const parserName of ['llm', 'hybrid']) {
  const t = totals[parserName];
  report.emit({ system: parserName, metric: 'tokens per play', unit: 'tokens', value: Math.round(t.tokens / Math.max(1, t.plays)), plays: t.plays, total_tokens: t.tokens, cost_usd_per_play: round(t.costUsd / Math.max(1, t.plays), 4) });
}
report.emit({ system: 'hybrid', metric: 'tokens vs llm', unit: '%', value: round((100 * totals.hybrid.tokens) / Math.max(1, totals.llm.tokens), 1), target: '<= 10' });

printSummary(`LLM parsing (${delayMs} ms a call for wall times, ${corpusDelayMs} ms over the corpus)`, report.aggregate());
progress(`finished in ${round((Date.now() - started) / 1000, 1)} s`);
