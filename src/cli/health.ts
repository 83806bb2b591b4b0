import { Command, Option } from 'commander';
import { action, printJson } from './runtime.js';
import { durationOption, intOption, numberOption } from './options.js';
import { formatDuration } from '../config/duration.js';

// `playbuddy health`: one verdict for a monitor (exit 0 healthy, 1 degraded, 2 unhealthy), from facts the
// database holds. It never creates or migrates anything: a monitor must see the database as it is.

export const HEALTHY = 0;
export const DEGRADED = 1;
export const UNHEALTHY = 2;
type Level = typeof HEALTHY | typeof DEGRADED | typeof UNHEALTHY;
const LEVEL_NAMES = ['healthy', 'degraded', 'unhealthy'] as const;

interface HealthOptions {
  minWorkers: number;
  maxWait: number;
  window: number;
  maxFailureRate: number;
  json?: boolean;
}

interface Check {
  name: string;
  level: Level;
  detail: string;
}

export function register(program: Command): void {
  program
    .command('health')
    .description('check the queue for monitoring: exit 0 healthy, 1 degraded, 2 unhealthy')
    .option('--min-workers <n>', 'fewer live workers is degraded (unhealthy while jobs wait)', intOption(0, 10_000), 1)
    .addOption(new Option('--max-wait <duration>', 'a runnable job waiting longer is degraded (3x longer: unhealthy)').argParser(durationOption(1_000)).default(10 * 60_000, '10m'))
    .addOption(new Option('--window <duration>', 'how far back the failure rate looks').argParser(durationOption(1_000)).default(15 * 60_000, '15m'))
    .option('--max-failure-rate <fraction>', 'more failed than this share of the jobs finished in the window is degraded (all of at least 3: unhealthy)', numberOption(0), 0.2)
    .option('--json', 'print every check as JSON')
    .addHelpText(
      'after',
      `
Checks: database reachable, schema current, live workers, how long the oldest runnable job has waited,
jobs still running past their lease, and the failure rate over the window. The worst check decides.

Exit codes:
  0  healthy
  1  degraded: pending migrations (or some from a newer playbuddy), fewer workers than --min-workers with nothing waiting, a job waiting
     past --max-wait, a job past its lease, or a failure rate above --max-failure-rate
  2  unhealthy: database unreachable, no schema or a migration changed since it was applied, no worker while jobs wait, a job waiting
     3 x --max-wait, or every finished job of the window failed (3 or more)

Examples:
  playbuddy health
  playbuddy health --json --min-workers 2 --max-wait 5m
  playbuddy health --window 1h --max-failure-rate 0.1 || notify-ops`,
    )
    .action(action(run));
}

async function run(opts: HealthOptions): Promise<number> {
  const [{ resolveDatabaseTarget, redactUrl }, { createPool }, { migrationStatus }, { healthFacts }] = await Promise.all([
    import('../config/database.js'),
    import('../db/pool.js'),
    import('../db/migrate.js'),
    import('../queue/reads.js'),
  ]);
  const target = resolveDatabaseTarget();
  const checks: Check[] = [];
  const pool = createPool(target.url, { max: 1, pooled: target.pooled });
  try {
    let facts;
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      checks.push({ name: 'database', level: UNHEALTHY, detail: `cannot connect to ${redactUrl(target.url)}: ${(err as Error).message}` });
      return report(checks, opts);
    }
    checks.push({ name: 'database', level: HEALTHY, detail: `reachable at ${redactUrl(target.url)}` });
    const schema = await migrationStatus(target.direct ?? target.url).catch(() => null);
    if (!schema) {
      checks.push({ name: 'schema', level: UNHEALTHY, detail: 'cannot read the applied migrations' });
      return report(checks, opts);
    }
    // A migration step is one transaction: it is applied or it is pending, never half-done.
    const modified = schema.applied.filter((m) => m.modified).map((m) => m.name);
    if (modified.length) checks.push({ name: 'schema', level: UNHEALTHY, detail: `migration ${modified.join(', ')} changed since it was applied` });
    else if (schema.applied.length === 0) {
      checks.push({ name: 'schema', level: UNHEALTHY, detail: 'no playbuddy schema (run `playbuddy db migrate`)' });
      return report(checks, opts);
    } else if (schema.pending.length) checks.push({ name: 'schema', level: DEGRADED, detail: `${schema.pending.length} migration(s) pending (run \`playbuddy db migrate\`)` });
    else if (schema.unknown.length) checks.push({ name: 'schema', level: DEGRADED, detail: `${schema.unknown.length} migration(s) from a newer playbuddy: upgrade this one` });
    else checks.push({ name: 'schema', level: HEALTHY, detail: 'current' });
    try {
      facts = await healthFacts(pool, opts.window);
    } catch (err) {
      checks.push({ name: 'queue', level: UNHEALTHY, detail: `cannot read the queue: ${(err as Error).message}` });
      return report(checks, opts);
    }
    checks.push(...judge(facts, opts));
    return report(checks, opts, facts);
  } finally {
    await pool.end().catch(() => {});
  }
}

type Facts = Awaited<ReturnType<typeof import('../queue/reads.js').healthFacts>>;

export function judge(f: Facts, opts: Omit<HealthOptions, 'json'>): Check[] {
  const checks: Check[] = [];
  const waiting = f.runnable > 0;
  checks.push({
    name: 'workers',
    level: f.liveWorkers >= opts.minWorkers ? HEALTHY : waiting ? UNHEALTHY : DEGRADED,
    detail: `${f.liveWorkers} live (at least ${opts.minWorkers} wanted)${f.liveWorkers < opts.minWorkers && waiting ? `, ${f.runnable} job(s) waiting` : ''}`,
  });
  const waited = f.oldestRunnableMs ?? 0;
  checks.push({
    name: 'oldest runnable job',
    level: waited > 3 * opts.maxWait ? UNHEALTHY : waited > opts.maxWait ? DEGRADED : HEALTHY,
    detail: f.oldestRunnableMs === null ? 'none waiting' : `waiting ${formatDuration(Math.round(waited))} (${f.runnable} runnable; limit ${formatDuration(opts.maxWait)})`,
  });
  checks.push({
    name: 'past lease',
    level: f.pastLease > 0 ? DEGRADED : HEALTHY,
    detail: f.pastLease > 0 ? `${f.pastLease} job(s) still running past their lease: their worker is gone; a live worker hands them back within its poll interval` : 'none',
  });
  const finished = f.completedInWindow + f.failedInWindow;
  const rate = finished > 0 ? f.failedInWindow / finished : 0;
  checks.push({
    name: 'failure rate',
    level: f.failedInWindow >= 3 && f.completedInWindow === 0 ? UNHEALTHY : rate > opts.maxFailureRate ? DEGRADED : HEALTHY,
    detail: `${f.failedInWindow} of ${finished} finished in the last ${formatDuration(opts.window)} failed (${Math.round(rate * 100)}%; limit ${Math.round(opts.maxFailureRate * 100)}%)`,
  });
  return checks;
}

function report(checks: Check[], opts: HealthOptions, facts?: Facts): Level {
  const level = Math.max(...checks.map((c) => c.level)) as Level;
  if (opts.json) {
    printJson({ status: LEVEL_NAMES[level], exitCode: level, checks: checks.map((c) => ({ ...c, level: LEVEL_NAMES[c.level] })), facts: facts ?? null });
    return level;
  }
  console.log(LEVEL_NAMES[level]);
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) console.log(`  ${c.level === HEALTHY ? 'ok  ' : c.level === DEGRADED ? 'WARN' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
  return level;
}
