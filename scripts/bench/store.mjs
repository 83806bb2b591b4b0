#!/usr/bin/env node
// bench:store — how long storing a parsed Hamlet takes: the Playbook, its cast, acts, scenes, ~1,700 lines
// and their speaker links, in one transaction, as a job's completion writes them. The play comes from the
// corpus through the compiled rules parser when both are there, else a generated play of the same size.
// Also times reading it back (what `export` and `show` do). Works in a database of its own.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchArgs } from './lib/args.mjs';
import { createBenchDatabase, dropBenchDatabase } from './lib/database.mjs';
import { ROOT, distHas, fromDist } from './lib/dist.mjs';
import { printSummary, progress, runBench } from './lib/report.mjs';
import { round } from './lib/stats.mjs';

const STORES_PER_RUN = 10;
const HAMLET = join(ROOT, '..', 'shared', 'corpus', 'plays', 'shakespeare-hamlet.txt');

const args = benchArgs();
const { applyPendingMigrations } = await fromDist('db/migrate.js');
const { createDb } = await fromDist('db/client.js');
const { storePlay } = await fromDist('store/store-play.js');
const { loadPlay } = await fromDist('store/load-play.js');

async function hamlet() {
  if (existsSync(HAMLET) && distHas('parse/rules/index.js')) {
    const { runPipeline } = await fromDist('parse/pipeline/run.js');
    const { rulesParser } = await fromDist('parse/pipeline/rules.js');
    const text = readFileSync(HAMLET, 'utf8');
    const { play } = await runPipeline({ text, filename: 'shakespeare-hamlet.txt', config: { parser: 'rules', chunkSize: text.length }, parser: rulesParser });
    return { play, source: 'corpus hamlet, rules parser' };
  }
  return { play: generatedPlay(), source: 'generated play of Hamlet size' };
}

/** Five acts of four scenes, 1,700 lines: mostly single speakers, some verse, joint speeches, directions. */
function generatedPlay() {
  const cast = Array.from({ length: 30 }, (_, i) => ({ name: `CHARACTER ${i + 1}`, aliases: [`Ch${i + 1}.`], description: i < 10 ? `a person of the play, number ${i + 1}` : null }));
  let n = 0;
  const line = () => {
    n += 1;
    if (n % 12 === 0) return { type: 'stage_direction', text: `[Enter CHARACTER ${(n % 30) + 1}.]`, characters: [cast[n % 30].name], indentLevel: null, preserveLineBreaks: null };
    const speakers = n % 50 === 0 ? [cast[n % 30].name, cast[(n + 1) % 30].name] : [cast[(n * 7) % 30].name];
    const verse = n % 3 === 0;
    const text = verse ? 'O, that this too too sullied flesh would melt,\nThaw, and resolve itself into a dew,\nOr that the Everlasting had not fixed' : 'Words, words, words. '.repeat(1 + (n % 6));
    return { type: 'dialogue', text, characters: speakers, indentLevel: 0, preserveLineBreaks: verse };
  };
  return {
    title: 'A Generated Tragedy',
    author: 'Bench',
    year: null,
    genre: null,
    description: null,
    characters: cast,
    acts: Array.from({ length: 5 }, (_, a) => ({
      title: `ACT ${a + 1}`,
      scenes: Array.from({ length: 4 }, (_, s) => ({ title: `Scene ${s + 1}`, lines: Array.from({ length: 85 }, line) })),
    })),
  };
}

await runBench('store', async (report) => {
  const { play, source } = await hamlet();
  progress(`storing ${play.title} (${source}) ${STORES_PER_RUN} times per run, ${args.runs} run(s)`);
  for (let run = 1; run <= args.runs; run++) {
    report.run = run;
    const { name, url } = await createBenchDatabase('store');
    await applyPendingMigrations(url);
    const db = createDb(url, { max: 2 });
    try {
      await db.$queryRaw`SELECT 1`;
      const stores = [];
      let stored;
      for (let i = 0; i < STORES_PER_RUN; i++) {
        const t = performance.now();
        stored = await db.$transaction((tx) => storePlay(tx, play), { timeout: 60_000 });
        stores.push(performance.now() - t);
      }
      const t = performance.now();
      await loadPlay(db, stored.playbookId);
      const loadMs = performance.now() - t;
      const shape = { source, lines: stored.lines, links: stored.links, characters: stored.characters, scenes: stored.scenes };
      // The first store pays for compiling the statements; a worker pays that once per process.
      report.emit({ system: 'playbuddy', metric: 'first_store_ms', unit: 'ms', value: round(stores[0]), ...shape });
      const warm = stores.slice(1).sort((x, y) => x - y);
      report.emit({ system: 'playbuddy', metric: 'store_ms', unit: 'ms', value: round(warm[Math.floor(warm.length / 2)]), min: round(warm[0]), max: round(warm.at(-1)), ...shape });
      report.emit({ system: 'playbuddy', metric: 'lines_stored_per_s', unit: 'lines/s', value: Math.round(stored.lines / (warm[Math.floor(warm.length / 2)] / 1000)) });
      report.emit({ system: 'playbuddy', metric: 'load_ms', unit: 'ms', value: round(loadMs), ...shape });
    } finally {
      await db.$disconnect();
      await dropBenchDatabase(name);
    }
  }
  printSummary(`bench:store — ${play.title} (${source})`, report.aggregate());
});
