#!/usr/bin/env node
// npm run chaos — K `playbuddy work` processes over M jobs (the rules parser on real plays, the LLM parser
// against a model server that fails in every way a provider does) while a driver kills, freezes and cuts off
// workers, drops, blackholes and refuses their PostgreSQL connections through a proxy, terminates backends,
// and races operator commands against them. Then it lets the queue settle and checks the invariants a
// durable queue promises, printing each with its count. Seeded: a failure prints the seed that replays it.
//
//   npm run chaos -- --profile ci            fixed seed, ≤ 3 minutes on a 2-core machine (CI runs this)
//   npm run chaos -- --profile long          tens of minutes, thousands of jobs, hundreds of faults
//   npm run chaos -- --seed 1234 --jobs 100 --workers 4 --chaos-seconds 120 --corpus DIR --keep
import { randomBytes, randomInt } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROOT, distReady } from '../bench/lib/dist.mjs';
import { promptMarkers } from './lib/app.mjs';
import * as checks from './lib/checks.mjs';
import { createDatabase, dropAllDatabases, installAudit, serverUrl, upstreamOf, withApplicationName } from './lib/database.mjs';
import { Driver, faultSchedule } from './lib/driver.mjs';
import { StuckMonitor } from './lib/monitor.mjs';
import { MODEL_FAULTS, startModelServer } from './lib/model-server.mjs';
import { Operator, RACES } from './lib/operator.mjs';
import { PgProxy } from './lib/pg-proxy.mjs';
import { Processes } from './lib/processes.mjs';
import { PROFILES, WORKER_SETTINGS } from './lib/profiles.mjs';
import { seededRandom } from './lib/prng.mjs';
import { Reference, referenceKey } from './lib/reference.mjs';
import { WorkerPool } from './lib/workers.mjs';
import { Workload, loadPlays } from './lib/workload.mjs';

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'ci' },
    seed: { type: 'string' },
    jobs: { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    'chaos-seconds': { type: 'string' },
    'llm-share': { type: 'string' },
    corpus: { type: 'string' },
    faults: { type: 'string' },
    'llm-faults': { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(`usage: npm run chaos -- [--profile ci|long] [--seed N] [--jobs M] [--workers K] [--concurrency C]
                         [--chaos-seconds S] [--llm-share 0..1] [--corpus DIR] [--keep]
                         [--faults kind=perMinute,…] [--llm-faults kind=rate,…]
  --faults       database and process faults per minute: ${Object.keys(PROFILES.ci.faultsPerMinute).join(', ')}
                 (the kinds named replace the profile's; kill=0 turns kills off)
  --llm-faults   share of model requests that fail, per kind: ${Object.keys(PROFILES.ci.llmFaults).join(', ')}
  --keep         keep the run folder (logs, outputs) even when every invariant holds\n`);
  process.exit(0);
}
const profile = PROFILES[args.profile];
if (!profile) fail(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, not "${args.profile}"`);
const num = (flag, fallback, { min = 0, max = Infinity, integer = true } = {}) => {
  if (args[flag] === undefined) return fallback;
  const n = Number(args[flag]);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) fail(`--${flag} must be a number from ${min} to ${max}, not "${args[flag]}"`);
  return n;
};
const seed = num('seed', profile.seed ?? randomInt(1, 2 ** 31), { min: 0, max: 2 ** 32 - 1 });
const config = {
  seed,
  jobs: num('jobs', profile.jobs, { min: 1 }),
  workers: num('workers', profile.workers, { min: 1, max: 32 }),
  concurrency: num('concurrency', profile.concurrency, { min: 1, max: 16 }),
  chaosMs: num('chaos-seconds', profile.chaosSeconds, { min: 5 }) * 1000,
  llmShare: num('llm-share', profile.llmShare, { min: 0, max: 1, integer: false }),
};
const faultsPerMinute = { ...profile.faultsPerMinute, ...rates('faults', profile.faultsPerMinute) };
const llmFaults = { ...profile.llmFaults, ...rates('llm-faults', profile.llmFaults) };
const settings = { ...WORKER_SETTINGS, concurrency: config.concurrency };
// Recovery is due a poll interval after the lease; the rest allows for a machine busy with all of this.
const allowanceMs = 2 * settings.leaseMs + settings.pollMs + 10_000;
settings.allowanceMs = allowanceMs;

function rates(flag, known) {
  if (args[flag] === undefined) return {};
  const out = {};
  for (const part of args[flag].split(',').filter(Boolean)) {
    const [kind, value] = part.split('=');
    if (!(kind in known) || !Number.isFinite(Number(value)) || Number(value) < 0) fail(`--${flag}: "${part}" is not kind=number with a kind of ${Object.keys(known).join(', ')}`);
    out[kind] = Number(value);
  }
  return out;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

// Everything printed goes through here, so the secret check can read it back.
let printed = '';
const say = (line = '') => {
  printed += line + '\n';
  process.stdout.write(line + '\n');
};
const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const replay = `npm run chaos -- --profile ${args.profile} --seed ${seed}${args.jobs ? ` --jobs ${config.jobs}` : ''}${args.workers ? ` --workers ${config.workers}` : ''}${args['chaos-seconds'] ? ` --chaos-seconds ${config.chaosMs / 1000}` : ''}${args.corpus ? ` --corpus ${args.corpus}` : ''}${args.faults ? ` --faults ${args.faults}` : ''}${args['llm-faults'] ? ` --llm-faults ${args['llm-faults']}` : ''}${args['llm-share'] ? ` --llm-share ${args['llm-share']}` : ''}${args.concurrency ? ` --concurrency ${args.concurrency}` : ''}`;

await distReady();
const playsDir = args.corpus ?? join(ROOT, 'test', 'fixtures', 'plays');
const plays = loadPlays(playsDir);
const runDir = mkdtempSync(join(tmpdir(), `playbuddy-chaos-${seed}-`));
const apiKey = `sk-chaos-${randomBytes(18).toString('hex')}`;
const baseEnv = {
  ...process.env,
  PLAYBUDDY_LLM_API_KEY: apiKey,
  PLAYBUDDY_LLM_TIMEOUT_SECONDS: String(settings.llmTimeoutSeconds),
  PLAYBUDDY_LLM_PRICES: JSON.stringify({ 'openai-compatible/chaos-model': { input: 1, output: 2 } }),
};
delete baseEnv.DATABASE_URL;

say(`chaos: seed ${seed}, profile ${args.profile}: ${config.workers} workers × concurrency ${config.concurrency}, ${config.jobs} jobs (${Math.round(config.llmShare * 100)} % LLM) from ${plays.length} plays in ${playsDir}`);
say(`chaos: ${config.chaosMs / 1000} s of faults, lease ${settings.leaseMs} ms, poll ${settings.pollMs} ms; run folder ${runDir}`);
say(`chaos: replay with: ${replay}`);

let exitCode = 1;
const cleanup = [];
// Interrupted, it still stops its workers and drops its databases.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    console.error(`chaos: ${signal}: stopping the workers and dropping the run's databases`);
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    await dropAllDatabases();
    process.exit(130);
  });
}
try {
  exitCode = await main();
} catch (err) {
  say(`chaos: the run itself failed: ${err.stack ?? err}`);
  say(`chaos: seed ${seed}; replay with: ${replay}`);
} finally {
  for (const fn of cleanup.reverse()) await fn().catch((err) => console.error(`cleanup: ${err.message}`));
  await dropAllDatabases();
  if (exitCode === 0 && !args.keep) rmSync(runDir, { recursive: true, force: true });
  else console.log(`chaos: logs and outputs kept in ${runDir}`);
}
process.exit(exitCode);

async function main() {
  const db = await createDatabase('run');
  // A pool: the monitor, the driver and the operator query it at the same time.
  const admin = new pg.Pool({ connectionString: withApplicationName(db.url, 'chaos-admin'), max: 4 });
  const ctlEnv = { ...baseEnv, DATABASE_URL: withApplicationName(db.url, 'chaos-ctl') };
  const processes = new Processes({ runDir, cwd: runDir, env: ctlEnv });
  cleanup.push(() => processes.close());
  // The reference database is prepared now, beside the run's, so the end of the run does not wait for it.
  const [migrated, reference] = await Promise.all([processes.run(['db', 'migrate'], { label: 'db migrate', timeoutMs: 600_000 }), Reference.prepare({ runDir, env: baseEnv, settings })]);
  if (migrated.code !== 0) throw new Error(`db migrate failed: ${migrated.stderr}`);
  await installAudit(db.url);
  cleanup.push(() => admin.end());

  const model = await startModelServer({ markers: promptMarkers, rates: llmFaults, random: seededRandom(seed, 'model'), apiKey });
  cleanup.push(() => model.close());
  const refModel = await startModelServer({ markers: promptMarkers, rates: {}, random: seededRandom(seed, 'reference'), apiKey });
  cleanup.push(() => refModel.close());
  reference.start();
  cleanup.push(async () => reference.worker?.child.kill('SIGKILL'));
  const llmArgsFor = (url) => ['--parser', 'llm', '--provider', 'openai-compatible', '--base-url', url, '--model', 'chaos-model', '--chunk-size', String(settings.llmChunkSize), '--llm-concurrency', '2'];

  const proxy = new PgProxy(upstreamOf(serverUrl()));
  cleanup.push(() => proxy.closeAll());
  const workArgs = [
    '--concurrency', String(settings.concurrency), '--lease', `${settings.leaseMs}ms`, '--poll-interval', `${settings.pollMs}ms`,
    '--retry-delay', `${settings.retryDelayMs}ms`, '--grace', `${settings.graceMs}ms`,
  ];
  const workers = new WorkerPool({ processes, proxy, url: db.url, workArgs, env: baseEnv });
  cleanup.push(() => workers.stopAll(5000));
  const workload = new Workload(runDir, plays);
  const faultLog = [];
  const log = (line) => faultLog.push(`${clock()} ${line}`);
  const driver = new Driver({ workers, proxy, admin, database: db.name, random: seededRandom(seed, 'faults'), settings, targetWorkers: config.workers, log });
  const operator = new Operator({ processes, admin, random: seededRandom(seed, 'operator'), workload, llmArgs: llmArgsFor(model.url), maxRetries: settings.maxRetries, log,
    onEnqueued: (files, parser) => reference.enqueue(files, parser === 'llm' ? llmArgsFor(refModel.url) : []),
  });
  const monitor = new StuckMonitor({ admin, workers, driver, settings, allowanceMs });

  await driver.topUp();
  await driver.untilRegistered(60_000);
  monitor.start();
  say(`${clock()} chaos phase: ${config.workers} workers up`);

  // The plan: batches of jobs over the first two thirds of the phase, faults and races throughout.
  const plan = seededRandom(seed, 'plan');
  const llmJobs = Math.round(config.jobs * config.llmShare);
  const batches = [];
  for (let left = { rules: config.jobs - llmJobs, llm: llmJobs }; left.rules + left.llm > 0; ) {
    const parser = left.llm > 0 && (left.rules === 0 || plan.chance(config.llmShare)) ? 'llm' : 'rules';
    const n = Math.min(left[parser], plan.int(1, parser === 'llm' ? 3 : 8));
    left[parser] -= n;
    batches.push({ parser, n });
  }
  const feedWindow = (config.chaosMs * 2) / 3;
  const timeline = [
    ...batches.map((b, i) => ({ at: Math.round((i / batches.length) * feedWindow), kind: 'feed', ...b })),
    ...faultSchedule(plan, faultsPerMinute, config.chaosMs).map((f) => ({ ...f, kind: f.kind, fault: true })),
    ...raceSchedule(plan, profile.racesPerMinute, config.chaosMs),
  ].sort((a, b) => a.at - b.at);
  say(`${clock()} plan: ${batches.length} enqueue batches, ${timeline.filter((e) => e.fault).length} faults, ${timeline.filter((e) => e.race).length} races`);

  const started = Date.now();
  const inflight = new Set();
  for (const ev of timeline) {
    const wait = started + ev.at - Date.now();
    if (wait > 0) await sleep(wait);
    const p = (ev.kind === 'feed' ? operator.feed(ev.n, ev.parser) : ev.fault ? driver.fire(ev.kind) : operator.race(ev.kind)).catch((err) =>
      log(`${ev.kind} could not run: ${err.message}`),
    );
    inflight.add(p);
    p.finally(() => inflight.delete(p));
    // Keep the workforce up even when a worker died on its own.
    void driver.topUp();
  }
  const rest = started + config.chaosMs - Date.now();
  if (rest > 0) await sleep(rest);
  await Promise.allSettled([...inflight]);
  await operator.settle();
  say(`${clock()} faults over; healing and letting the queue drain`);

  // Settle: every fault healed, paused jobs resumed, then wait for the queue to empty (or the allowance).
  await driver.healAll();
  const paused = (await admin.query(`SELECT id FROM "ParseJob" WHERE status = 'paused'`)).rows.map((r) => r.id);
  if (paused.length > 0) await operator.control('resume', paused);
  const drainDeadline = Date.now() + profile.drainSeconds * 1000;
  let drained = false;
  while (Date.now() < drainDeadline) {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "ParseJob" WHERE status IN ('queued', 'retrying', 'running', 'paused')`);
    if (rows[0].n === 0) {
      drained = true;
      break;
    }
    await driver.topUp();
    await sleep(500);
  }
  await monitor.sample(0);
  await monitor.stop();
  const finalStuck = (
    await admin.query(
      `SELECT id, "workerId" AS worker FROM "ParseJob" WHERE status = 'running' AND "lockExpiry" < (now() AT TIME ZONE 'UTC') - $1::float8 * interval '1 millisecond'`,
      [allowanceMs],
    )
  ).rows;
  say(`${clock()} ${drained ? 'queue drained' : `queue not drained after ${profile.drainSeconds} s`}; stopping workers`);
  await workers.stopAll(settings.graceMs + 10_000);
  await proxy.closeAll();

  const facts = await checks.loadFacts(admin);
  say(`${clock()} waiting for the single-worker reference of ${facts.jobs.filter((j) => j.status === 'completed').length} completed jobs`);
  const texts = new Map();
  const { rows: raw } = await admin.query(`SELECT filename, "contentHash", config, "rawText" FROM "ParseJob" WHERE status = 'completed' AND "playbookId" IS NOT NULL`);
  for (const t of raw) texts.set(referenceKey(t.filename, t.contentHash, t.config), t);
  const refs = await reference.finish([...texts.values()], () => llmArgsFor(refModel.url));
  const { exportPlays } = await import('./lib/app.mjs');
  const exported = await exportPlays(db.url, facts.plays.map((p) => p.id));

  const workerPids = new Map(workers.slots.map((w) => [w.app, w.pid]));
  const results = [
    checks.jobsAtRest(facts, { drained }),
    checks.noStuckJobs(monitor, finalStuck),
    checks.playsMatch(facts, { refs: refs.refs, exported }),
    checks.noDuplicatePlays(facts, operator.jobs),
    checks.legalEventChains(facts),
    checks.fencedWrites(facts, workerPids),
    checks.noPermanentFailures(facts),
    checks.noIdleTransactions(monitor),
    checks.processesBehaved(workers.report(runDir), processes.commands, { lockWaits: monitor.lockWaits, maxLockWaitMs: 10_000 }),
  ];
  writeFileSync(join(runDir, 'faults.log'), faultLog.join('\n') + '\n');
  results.push(await checks.secretKept(admin, runDir, apiKey, () => printed));

  // The figures of the run.
  const byStatus = countBy(facts.jobs, (j) => j.status);
  const injected = { ...driver.injected };
  const modelFaults = Object.fromEntries(MODEL_FAULTS.map((k) => [k, model.counts[k]]));
  const faultTotal = Object.values(injected).reduce((a, b) => a + b, 0) + Object.values(modelFaults).reduce((a, b) => a + b, 0);
  say('');
  say(`jobs: ${facts.jobs.length} (${Object.entries(byStatus).map(([k, v]) => `${v} ${k}`).join(', ')}); plays stored: ${facts.plays.length}; events: ${facts.events.length}`);
  say(`workers started: ${workers.slots.length}; commands run: ${processes.commands.length}`);
  say(`faults injected: ${faultTotal} — database/process: ${fmt(injected)}; model server: ${fmt(modelFaults)} of ${model.counts.requests} requests (${model.counts.wrongKey} without the key)`);
  say(`races: ${fmt(operator.races)}`);
  if (refs.missing > 0) say(`reference texts run at the end (edited between the two enqueues): ${refs.missing}`);
  if (refs.failed.length > 0) say(`reference runs that did not complete: ${refs.failed.length} (${refs.failed.slice(0, 3).map((f) => `${f.filename}: ${f.status} ${f.reason ?? ''}`).join('; ')})`);
  say('');
  for (const r of results) {
    say(`${r.held ? 'HELD  ' : 'BROKEN'} ${r.name} — ${r.count} checked${r.held ? '' : `, ${r.violations.length} violation(s)`}`);
    for (const v of r.violations.slice(0, 12)) say(`         ${v}`);
    if (r.violations.length > 12) say(`         … and ${r.violations.length - 12} more`);
  }
  const held = results.filter((r) => r.held).length;
  say('');
  say(`${held} of ${results.length} invariants held in ${((Date.now() - t0) / 1000).toFixed(0)} s on ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GB — seed ${seed}`);
  if (held < results.length) {
    say(`replay with: ${replay}`);
    say(`fault timeline: ${join(runDir, 'faults.log')}`);
    return 1;
  }
  return 0;
}

function raceSchedule(random, perMinute, chaosMs) {
  const events = [];
  const perMs = perMinute / 60_000;
  if (perMs <= 0) return events;
  for (let t = -Math.log(1 - random.next()) / perMs; t < chaosMs; t += -Math.log(1 - random.next()) / perMs) {
    events.push({ at: Math.round(t), kind: random.pick(RACES), race: true });
  }
  return events;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function countBy(items, keyOf) {
  const out = {};
  for (const it of items) out[keyOf(it)] = (out[keyOf(it)] ?? 0) + 1;
  return out;
}

function fmt(counts) {
  return Object.entries(counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
}
