#!/usr/bin/env node
// bench:store — how long storing a parsed Hamlet takes: the Playbook, its cast, acts, scenes, ~1,400 lines
// and their speaker links, in one transaction, as a job's completion writes them, with the statements it
// takes, PostgreSQL's CPU time and the WAL it writes (measures a busy machine does not move much). The play comes from the
// corpus through the compiled rules parser when both are there, else a generated play of the same size.
// Also times reading it back (what `export` and `show` do), with the server's CPU time for that, and splits
// the server's time for a store into what the app's schema asks per row: index entries and foreign-key
// checks (see serverShares). Works in a database of its own.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchArgs } from './lib/args.mjs';
import { findPlays } from './lib/corpus.mjs';
import { createBenchDatabase, dropBenchDatabase } from './lib/database.mjs';
import { distHas, fromDist } from './lib/dist.mjs';
import { printSummary, progress, runBench } from './lib/report.mjs';
import { serverCostProbe } from './lib/server-cost.mjs';
import { median, round } from './lib/stats.mjs';

const STORES_PER_RUN = 10;
const LOADS_PER_RUN = 6;
const SHARE_ROUNDS = 4;
const STORES_PER_SHARE_ROUND = 3;
const PLAY_TABLES = ['Playbook', 'Character', 'Act', 'Scene', 'Line', 'LineCharacter'];

const args = benchArgs({ corpus: { type: 'string' } });
const HAMLET = findPlays({ explicit: args.corpus, fallback: join('test', 'fixtures', 'plays') }).files.find((f) => f.endsWith('shakespeare-hamlet.txt'));
const { applyPendingMigrations } = await fromDist('db/migrate.js');
const { createPool } = await fromDist('db/pool.js');
const { storePlay } = await fromDist('store/store-play.js');
const { loadPlay } = await fromDist('store/load-play.js');

async function hamlet() {
  if (HAMLET && existsSync(HAMLET) && distHas('parse/rules/index.js')) {
    const { runPipeline } = await fromDist('parse/pipeline/run.js');
    const { rulesParser } = await fromDist('parse/rules/parser.js');
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

/** Runs `fn` in one transaction on `client`, counting the statements it sends. */
async function inTransaction(client, fn) {
  let statements = 0;
  const counted = { query: (...args) => ((statements += 1), client.query(...args)) };
  await client.query('BEGIN');
  const result = await fn(counted);
  await client.query('COMMIT');
  return { result, statements };
}

/**
 * Where a store's server time goes. The same play is stored, by the same code, into copies of the six tables
 * that have their columns only, then into copies that also have their indexes; the real tables add the
 * foreign keys. The store's unqualified table names reach each set through search_path. Rounds alternate
 * the three, so whatever else the machine does falls on each alike. PostgreSQL CPU and WAL records per store.
 */
async function serverShares(url, play, probe) {
  const sets = [
    { name: 'columns', schema: 'bench_columns', like: 'INCLUDING DEFAULTS' },
    { name: 'indexed', schema: 'bench_indexed', like: 'INCLUDING DEFAULTS INCLUDING INDEXES' },
    { name: 'schema', schema: null },
  ];
  const pools = [];
  try {
    for (const set of sets) {
      const pool = createPool(url, { max: 1 });
      pools.push(pool);
      set.client = await pool.connect();
      if (set.schema) {
        const tables = PLAY_TABLES.map((t) => `CREATE TABLE ${set.schema}."${t}" (LIKE public."${t}" ${set.like});`).join(' ');
        await set.client.query(`CREATE SCHEMA ${set.schema}; ${tables} SET search_path = ${set.schema}, public`);
      }
      set.cpuMs = 0;
      set.walRecords = 0;
      set.stores = 0;
      await inTransaction(set.client, (tx) => storePlay(tx, play));
    }
    for (let round = 0; round < SHARE_ROUNDS; round++) {
      for (const set of sets) {
        const before = await probe.snapshot();
        for (let i = 0; i < STORES_PER_SHARE_ROUND; i++) await inTransaction(set.client, (tx) => storePlay(tx, play));
        const cost = await probe.since(before);
        set.cpuMs += cost.cpuMs ?? NaN;
        set.walRecords += cost.walRecords;
        set.stores += STORES_PER_SHARE_ROUND;
      }
    }
    return Object.fromEntries(sets.map((s) => [s.name, { cpuMs: s.cpuMs / s.stores, walRecords: s.walRecords / s.stores }]));
  } finally {
    for (const set of sets) set.client?.release();
    await Promise.all(pools.map((p) => p.end()));
  }
}

await runBench('store', async (report) => {
  const { play, source } = await hamlet();
  progress(`storing ${play.title} (${source}) ${STORES_PER_RUN} times per run and reading it back ${LOADS_PER_RUN} times, ${args.runs} run(s)`);
  for (let run = 1; run <= args.runs; run++) {
    report.run = run;
    const { name, url } = await createBenchDatabase('store');
    await applyPendingMigrations(url);
    // One connection, so the server's CPU time is that of one process the probe can read.
    const pool = createPool(url, { max: 1 });
    const probe = await serverCostProbe(url);
    try {
      const client = await pool.connect();
      const stores = [];
      let stored;
      let statements;
      const before = await probe.snapshot();
      const clientCpu = process.cpuUsage();
      for (let i = 0; i < STORES_PER_RUN; i++) {
        const t = performance.now();
        ({ result: stored, statements } = await inTransaction(client, (tx) => storePlay(tx, play)));
        stores.push(performance.now() - t);
      }
      const storeClientCpu = process.cpuUsage(clientCpu);
      client.release();
      const storeCost = await probe.since(before);

      const loads = [];
      const beforeLoads = await probe.snapshot();
      const loadClientCpu = process.cpuUsage();
      for (let i = 0; i < LOADS_PER_RUN; i++) {
        const t = performance.now();
        await loadPlay(pool, stored.playbookId);
        loads.push(performance.now() - t);
      }
      const loadClient = process.cpuUsage(loadClientCpu);
      const loadCost = await probe.since(beforeLoads);

      const shape = { source, lines: stored.lines, links: stored.links, characters: stored.characters, scenes: stored.scenes };
      const perStore = (v) => (v === null ? null : round(v / STORES_PER_RUN, 1));
      // The first store pays for planning the statements; a worker pays that once per process.
      report.emit({ system: 'playbuddy', metric: 'first_store_ms', unit: 'ms', value: round(stores[0]), ...shape });
      const warm = stores.slice(1).sort((x, y) => x - y);
      report.emit({ system: 'playbuddy', metric: 'store_ms', unit: 'ms', value: round(median(warm)), min: round(warm[0]), max: round(warm.at(-1)), statements, ...shape });
      report.emit({ system: 'playbuddy', metric: 'store_server_cpu_ms', unit: 'ms', value: perStore(storeCost.cpuMs), label: 'PostgreSQL CPU time per store (all stores of the run, averaged)' });
      report.emit({ system: 'playbuddy', metric: 'store_client_cpu_ms', unit: 'ms', value: round((storeClientCpu.user + storeClientCpu.system) / 1000 / STORES_PER_RUN, 1), label: 'this process’s CPU time per store' });
      report.emit({ system: 'playbuddy', metric: 'store_wal_kb', unit: 'KB', value: round(storeCost.walBytes / 1024 / STORES_PER_RUN, 0), wal_records: round(storeCost.walRecords / STORES_PER_RUN, 0), label: 'WAL per store (cluster-wide: exact on a quiet server)' });
      report.emit({ system: 'playbuddy', metric: 'lines_stored_per_s', unit: 'lines/s', value: Math.round(stored.lines / (median(warm) / 1000)) });
      const warmLoads = loads.slice(1);
      report.emit({ system: 'playbuddy', metric: 'load_ms', unit: 'ms', value: round(median(warmLoads)), first: round(loads[0]), min: round(Math.min(...warmLoads)), max: round(Math.max(...warmLoads)), ...shape });
      report.emit({ system: 'playbuddy', metric: 'load_server_cpu_ms', unit: 'ms', value: loadCost.cpuMs === null ? null : round(loadCost.cpuMs / LOADS_PER_RUN, 1), label: 'PostgreSQL CPU time per read-back' });
      const shares = await serverShares(url, play, probe);
      if (probe.local) {
        const { columns, indexed, schema } = shares;
        report.emit({ system: 'playbuddy', metric: 'store_cpu_columns_only_ms', unit: 'ms', value: round(columns.cpuMs, 1), wal_records: round(columns.walRecords, 0), label: 'PostgreSQL CPU per store into tables with their columns only: rows, parameters, statements, commit' });
        report.emit({ system: 'playbuddy', metric: 'store_cpu_index_entries_ms', unit: 'ms', value: round(indexed.cpuMs - columns.cpuMs, 1), wal_records: round(indexed.walRecords - columns.walRecords, 0), label: 'added by the tables’ indexes' });
        report.emit({ system: 'playbuddy', metric: 'store_cpu_foreign_key_checks_ms', unit: 'ms', value: round(schema.cpuMs - indexed.cpuMs, 1), wal_records: round(schema.walRecords - indexed.walRecords, 0), label: 'added by the foreign-key checks (one per line, two per speaker link)' });
      }
      report.emit({ system: 'playbuddy', metric: 'load_client_cpu_ms', unit: 'ms', value: round((loadClient.user + loadClient.system) / 1000 / LOADS_PER_RUN, 1), label: 'this process’s CPU time per read-back' });
    } finally {
      await probe.close();
      await pool.end();
      await dropBenchDatabase(name);
    }
  }
  printSummary(`bench:store — ${play.title} (${source})`, report.aggregate());
});
