import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stateMachine } from './app.mjs';
import { referenceKey, settingsKey } from './reference.mjs';

// The invariants, each counted over the whole run. A check returns { name, held, count, violations }, where
// `count` says how many things it looked at and each violation names the job (or play, or file) concerned.

const TERMINAL = ['completed', 'failed', 'cancelled'];
const AT_REST = [...TERMINAL, 'queued', 'retrying', 'paused'];

export async function loadFacts(admin) {
  const q = async (sql) => (await admin.query(sql)).rows;
  return {
    jobs: await q(`SELECT id, status::text AS status, filename, "contentHash", config, "playbookId", "retryCount", "maxRetries",
                          "failureReason", "workerId", "runAfter" < (now() AT TIME ZONE 'UTC') AS due
                   FROM "ParseJob" ORDER BY "createdAt", id`),
    events: await q(`SELECT e.id, e."jobId", e.event, e.details, a.seq, a.app FROM "JobEvent" e LEFT JOIN chaos.event a ON a.event_id = e.id
                     ORDER BY a.seq NULLS FIRST, e."createdAt"`),
    // Whether the lease had run out when the change was made, decided in SQL: timestamps become JavaScript
    // dates of whole milliseconds, which would call a lease that ran out microseconds before the change not
    // run out yet.
    changes: await q(`SELECT *, old_expiry < at_now AS lease_ran_out FROM chaos.job_change ORDER BY seq`),
    plays: await q(`SELECT id FROM "Playbook"`),
    workers: await q(`SELECT id, pid FROM "Worker"`),
  };
}

function check(name, count, violations) {
  return { name, held: violations.length === 0, count, violations };
}

/** Every job at rest once the run is over: terminal, runnable, or paused; none runnable and overlooked. */
export function jobsAtRest(facts, { drained }) {
  const bad = [];
  for (const j of facts.jobs) {
    if (!AT_REST.includes(j.status)) bad.push(`${j.id} is ${j.status}`);
    else if (drained && (j.status === 'queued' || j.status === 'retrying') && j.due) bad.push(`${j.id} is ${j.status} and due, but no worker took it`);
  }
  return check('every job terminal or runnable, none left behind', facts.jobs.length, bad);
}

export function noStuckJobs(monitor, finalStuck) {
  const bad = [...monitor.stuck].map(([id, s]) => `${id} stayed running ${s.overdueMs} ms past its lease + poll interval (holder ${s.worker ?? '?'})`);
  for (const j of finalStuck) bad.push(`${j.id} still running at the end (holder ${j.worker ?? '?'})`);
  return check(`no job running past lease + poll interval without a live holder (worst ${Math.round(monitor.worstMs)} ms, ${monitor.samples} samples)`, monitor.samples, bad);
}

/** One play per completed job, as the single-worker run stored it; no play without its job. */
export function playsMatch(facts, { refs, exported }) {
  const bad = [];
  const superseded = new Set(facts.events.filter((e) => e.event === 'superseded').map((e) => e.jobId));
  const playIds = new Set(facts.plays.map((p) => p.id));
  const owner = new Map();
  let compared = 0;
  for (const j of facts.jobs) {
    if (j.status !== 'completed') {
      if (j.playbookId) bad.push(`${j.id} is ${j.status} but points at play ${j.playbookId}`);
      continue;
    }
    if (!j.playbookId) {
      if (!superseded.has(j.id)) bad.push(`${j.id} completed without a play (and was not superseded)`);
      continue;
    }
    if (!playIds.has(j.playbookId)) {
      bad.push(`${j.id} points at play ${j.playbookId}, which does not exist`);
      continue;
    }
    if (owner.has(j.playbookId)) bad.push(`${j.id} and ${owner.get(j.playbookId)} point at the same play ${j.playbookId}`);
    owner.set(j.playbookId, j.id);
    const ref = refs.get(referenceKey(j.filename, j.contentHash, j.config));
    compared++;
    if (ref === undefined) bad.push(`${j.id}: no single-worker reference for its text`);
    else if (exported.get(j.playbookId) !== ref) bad.push(`${j.id}: play ${j.playbookId} differs from the single-worker run of the same text${firstDifference(exported.get(j.playbookId), ref)}`);
  }
  for (const p of facts.plays) if (!owner.has(p.id)) bad.push(`play ${p.id} belongs to no completed job (orphan)`);
  return check('one play per completed job, identical to a single-worker run; no orphan or partial play', compared + facts.plays.length, bad);
}

function firstDifference(a, b) {
  if (a == null) return ' (missing)';
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return ` (line ${i + 1}: ${JSON.stringify((al[i] ?? '').trim().slice(0, 60))} vs ${JSON.stringify((bl[i] ?? '').trim().slice(0, 60))})`;
  }
  return '';
}

/** No two stored plays of one text with the same settings, unless the later ones were enqueued with --force. */
export function noDuplicatePlays(facts, jobsMeta) {
  const groups = new Map();
  const playIds = new Set(facts.plays.map((p) => p.id));
  for (const j of facts.jobs) {
    if (j.status !== 'completed' || !j.playbookId || !playIds.has(j.playbookId)) continue;
    const key = `${j.contentHash}\u0000${settingsKey(j.config)}`;
    (groups.get(key) ?? groups.set(key, []).get(key)).push(j);
  }
  const bad = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const forced = group.filter((j) => jobsMeta.get(j.id)?.forced).length;
    if (group.length - 1 > forced) bad.push(`${group.length} plays of one text and settings (${group[0].filename}), ${forced} forced: jobs ${group.map((j) => j.id).join(', ')}`);
  }
  return check('no two plays of one text and settings unless --force was used', groups.size, bad);
}

/**
 * Each job's events, in the order they were written, walk the state machine from `enqueued`; the status
 * changes the audit saw on the row are exactly those the events announce, and the walk ends where the job is.
 */
export function legalEventChains(facts) {
  const bad = [];
  const eventsOf = groupBy(facts.events, (e) => e.jobId);
  const changesOf = groupBy(facts.changes.filter((c) => c.old_status !== c.new_status), (c) => c.job_id);
  for (const j of facts.jobs) {
    const events = eventsOf.get(j.id) ?? [];
    let state = null;
    const walked = [];
    for (const e of events) {
      const d = e.details ?? {};
      if (state === null) {
        const to = d.to ?? d.status ?? 'queued';
        if (!stateMachine.creates(e.event, to)) {
          bad.push(`${j.id}: first event ${e.event} (to ${to}) is not how the state machine creates a job`);
          break;
        }
        state = to;
        continue;
      }
      if (d.to === undefined) continue;
      if (d.from !== undefined && d.from !== state) {
        bad.push(`${j.id}: event ${e.event} says ${d.from} → ${d.to}, but the job was ${state}`);
        break;
      }
      if (!stateMachine.allows(state, d.to, e.event)) {
        bad.push(`${j.id}: event ${e.event} moves ${state} → ${d.to}, which the state machine does not declare`);
        break;
      }
      walked.push(`${state}>${d.to}`);
      state = d.to;
    }
    if (state !== null && state !== j.status) bad.push(`${j.id}: its events end at ${state}, but the job is ${j.status}`);
    const audited = (changesOf.get(j.id) ?? []).map((c) => `${c.old_status}>${c.new_status}`);
    if (state !== null && audited.join(' ') !== walked.join(' ')) {
      bad.push(`${j.id}: status changes ${audited.join(' ') || '(none)'} but events say ${walked.join(' ') || '(none)'}`);
    }
  }
  return check(`every job's JobEvent chain a legal path of the state machine (${stateMachine.declared}), matching its status changes`, facts.jobs.length, bad);
}

/**
 * Every write a worker made to a job row was made while it held the job's lease: a claim of a runnable job,
 * the recovery of an expired lease, a write by the holder with its token, or clearing the play of a
 * completed job a replacement superseded. Anything else is a write after the lease was lost.
 */
export function fencedWrites(facts, workerPids) {
  const idsByPid = groupBy(facts.workers, (w) => w.pid);
  const bad = [];
  let writes = 0;
  let lateButHeld = 0;
  for (const c of facts.changes) {
    const pid = workerPids.get(c.app);
    if (pid === undefined) continue;
    writes++;
    const mine = new Set((idsByPid.get(pid) ?? []).map((w) => w.id));
    const claim = ['queued', 'retrying'].includes(c.old_status) && c.new_status === 'running' && mine.has(c.new_worker);
    const recovery = c.old_status === 'running' && ['retrying', 'failed'].includes(c.new_status) && c.new_worker === null && c.lease_ran_out;
    const holder = c.old_status === 'running' && mine.has(c.old_worker) && c.old_token !== null && (c.new_token === c.old_token || c.new_status !== 'running');
    const supersede = c.old_status === 'completed' && c.new_status === 'completed' && c.new_playbook === null && !c.progress_write;
    if (holder && c.lease_ran_out) lateButHeld++;
    if (claim || recovery || holder || supersede) continue;
    bad.push(
      `${c.job_id}: ${c.app} (pid ${pid}) wrote ${c.old_status} → ${c.new_status}${c.progress_write ? ' with progress' : ''} while the lease was ${c.old_worker ?? 'nobody'}'s` +
        ` (its lease ${c.old_expiry ? `ran to ${c.old_expiry.toISOString()}` : 'was clear'}, the change at ${c.at_now.toISOString()}; worker after: ${c.new_worker ?? 'none'})`,
    );
  }
  const result = check(`no write from a worker after it lost its lease (${lateButHeld} writes by a holder whose lease had run out but was not yet taken)`, writes, bad);
  return result;
}

/** Every fault the run injects passes by itself, so no job may fail as if it were permanent. */
export function noPermanentFailures(facts) {
  const bad = [];
  const last = new Map();
  for (const e of facts.events) if (e.details?.to === 'failed') last.set(e.jobId, e);
  let gaveUp = 0;
  const failed = facts.jobs.filter((j) => j.status === 'failed');
  for (const j of failed) {
    const e = last.get(j.id);
    if (e?.event === 'lease-expired' || e?.details?.transient === true) {
      gaveUp++;
      continue;
    }
    bad.push(`${j.id} failed as permanent: ${(j.failureReason ?? e?.details?.error ?? '?').slice(0, 160)}`);
  }
  return check(`no job failed permanently on a passing fault (${gaveUp} gave up after all their attempts)`, failed.length, bad);
}

/** The workers' API key appears in no table, log or output of the run. */
export async function secretKept(admin, runDir, key, printed) {
  const bad = [];
  const { rows: tables } = await admin.query(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('public', 'chaos') AND table_type = 'BASE TABLE'`,
  );
  for (const { s, t } of tables) {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${s}"."${t}" x WHERE strpos(x::text, $1) > 0`, [key]);
    if (rows[0].n > 0) bad.push(`table ${s}.${t}: ${rows[0].n} row(s)`);
  }
  let files = 0;
  for (const file of walk(runDir)) {
    files++;
    if (readFileSync(file, 'utf8').includes(key)) bad.push(`file ${file}`);
  }
  if (printed().includes(key)) bad.push('the suite\'s own output');
  return check('the workers\' API key appears nowhere in the database, the logs or the output', tables.length + files + 1, bad);
}

/** No worker's transaction sat open and idle (holding its row locks) longer than a lease allows. */
export function noIdleTransactions(monitor) {
  const bad = [...monitor.idleInTransaction].map(([pid, b]) => `backend ${pid} of ${b.app} idle in transaction for ${b.ms} ms after: ${b.query}`);
  return check(`no worker transaction left open and idle past ${Math.round(monitor.allowanceMs / 1000)} s`, monitor.samples, bad);
}

/**
 * Every process ended as it was told to: no crash, no stack trace, no command that hung or exited oddly, and
 * no operator command kept waiting for a lock (measured in the database, so a busy machine does not count).
 */
export function processesBehaved(workerReport, commands, { lockWaits, maxLockWaitMs }) {
  const bad = [];
  for (const u of workerReport.unexpected) {
    bad.push(`worker ${u.worker} (pid ${u.pid}) ${u.lingered ? 'did not stop on SIGTERM' : `exited ${u.exit?.code ?? u.exit?.signal}`}${u.crashed ? ' with a stack trace' : ''}: ${u.tail.replace(/\s+/g, ' ').slice(-200)}`);
  }
  for (const c of commands) {
    const what = `playbuddy ${c.args.filter((a) => !a.startsWith('http')).join(' ').slice(0, 80)}`;
    if (c.timedOut) bad.push(`${what}: still running after ${c.ms} ms`);
    else if (c.crashed) bad.push(`${what}: printed a stack trace: ${c.stderr.split('\n').slice(0, 3).join(' ').slice(0, 200)}`);
    else if (c.code !== 0 && c.code !== 1) bad.push(`${what}: exited ${c.code ?? c.signal}`);
  }
  for (const [pid, w] of lockWaits) {
    if (w.ms > maxLockWaitMs) bad.push(`an operator command (backend ${pid}) waited ${w.ms} ms for a lock: ${w.query}`);
  }
  return check(
    `every process ended as told: no crash, no stack trace, no operator command waiting over ${maxLockWaitMs / 1000} s for a lock (${workerReport.refusedAtStart} workers refused at start-up by an unreachable database)`,
    workerReport.unexpected.length + commands.length,
    bad,
  );
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function groupBy(items, keyOf) {
  const m = new Map();
  for (const it of items) {
    const k = keyOf(it);
    (m.get(k) ?? m.set(k, []).get(k)).push(it);
  }
  return m;
}
