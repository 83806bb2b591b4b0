import os from 'node:os';
import { dropAllBenchDatabases, describeServer, serverFacts } from './database.mjs';
import { median, round } from './stats.mjs';

// stdout carries only JSON lines (one per measurement, then one aggregate per metric over all runs), so it
// can be redirected to a file as is; progress and the human summary go to stderr.

export function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

const keyOf = (m) => `${m.system}\u0000${m.metric}`;

export class Report {
  #rows = [];
  #run = 1;

  constructor(bench) {
    this.bench = bench;
  }

  set run(n) {
    this.#run = n;
  }

  /** One measurement: `value` in `unit`, plus whatever describes how it was taken. */
  emit(measurement) {
    const row = { bench: this.bench, run: this.#run, ...measurement };
    this.#rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
    return row;
  }

  /** The value `system` measured for `metric` in the current run, for ratios taken within one run. */
  valueOf(system, metric) {
    return this.#rows.find((r) => r.run === this.#run && r.system === system && r.metric === metric)?.value;
  }

  /** Median with min–max over the runs, per system and metric, in first-seen order. */
  aggregate() {
    const groups = new Map();
    for (const row of this.#rows) {
      if (typeof row.value !== 'number') continue;
      const key = keyOf(row);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(row);
    }
    const out = [];
    for (const rows of groups.values()) {
      const values = rows.map((r) => r.value);
      const ratios = rows.map((r) => r.ratio).filter((v) => typeof v === 'number');
      const { bench, system, metric, unit, label } = rows[0];
      const row = {
        bench, aggregate: true, system, metric, unit, ...(label ? { label } : {}),
        runs: values.length, value: median(values), min: Math.min(...values), max: Math.max(...values),
        ...(ratios.length ? { ratio: median(ratios), ratio_min: Math.min(...ratios), ratio_max: Math.max(...ratios) } : {}),
      };
      out.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
    return out;
  }
}

function formatValue(v) {
  if (typeof v !== 'number') return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en');
  return String(round(v, 2));
}

/** A short table: one row per metric, median with min–max when there were several runs. */
export function printSummary(title, aggregates) {
  const lines = [`\n${title}`];
  const width = Math.max(...aggregates.map((a) => `${a.system} ${a.metric}`.length), 10);
  for (const a of aggregates) {
    const range = a.runs > 1 ? ` (${formatValue(a.min)}–${formatValue(a.max)}, ${a.runs} runs)` : '';
    const ratio = a.ratio != null ? `   ratio ${round(a.ratio, 2)}` : '';
    const label = a.label ? `   [${a.label}]` : '';
    lines.push(`  ${`${a.system} ${a.metric}`.padEnd(width)}  ${formatValue(a.value)} ${a.unit}${range}${ratio}${label}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

/**
 * Runs a benchmark body with the machine description first and every bench database dropped at the end,
 * also on failure, Ctrl-C or SIGTERM.
 */
export async function runBench(bench, body) {
  const report = new Report(bench);
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    progress(`${signal}: dropping bench databases`);
    await dropAllBenchDatabases();
    process.exit(130);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const started = Date.now();
  try {
    const facts = await serverFacts();
    report.emit({ system: 'machine', metric: 'machine', ...machine(), ...facts, server: describeServer(), started_at: new Date().toISOString() });
    await body(report);
    progress(`finished in ${round((Date.now() - started) / 1000, 1)} s`);
  } catch (err) {
    process.stderr.write(`bench ${bench} failed: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  } finally {
    await dropAllBenchDatabases();
  }
  // Pools held by libraries under test must not keep the process alive after the report.
  process.exit(process.exitCode ?? 0);
}
