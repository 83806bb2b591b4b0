import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { PermanentError, errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from '../queue/backoff.js';
import { claimJobs, completeAndClaim, recoverExpiredLeases } from '../queue/claim.js';
import { jobDurations, type WaitingJob } from './ahead.js';
import { groupCompletions } from './completions.js';
import { completeJob, failAttempt, holdsLease, releaseJob, renewLeases, type Lease } from '../queue/lease.js';
import { markWorkerStopped, registerWorker } from '../queue/workers.js';
import { msUntilNextDue } from '../queue/sql/next-retry-due.js';
import { classifyError } from './classify.js';
import { DEFAULT_GRACE_MS, DEFAULT_LEASE_MS, DEFAULT_POLL_MS } from './defaults.js';
import { JobStopped, createJobContext, type StopCause } from './context.js';
import { LeaseLostError, type ClaimedJob, type JobHandlers } from './handler.js';
import { startListener, type Listener } from './listener.js';

// The worker: claims jobs (woken by NOTIFY, with a slow poll as the safety net), runs each through the
// handler for its type under a lease it renews, records the outcome with fenced writes, and stops running jobs when an
// operator pauses or cancels them, when their lease is lost, or when it shuts down.

// Renew at least three times per lease, and often enough for `status`, which presumes a worker that has not
// been heard from for 30 s dead (liveWorkers in src/queue/repository.ts).
const MAX_HEARTBEAT_MS = 10_000;
// After the grace period the jobs' signals are aborted; a handler gets this long to notice before its job
// is released anyway (its late writes are fenced off).
const SETTLE_MS = 5_000;

export interface WorkerOptions {
  /** The worker's statements run here; size it concurrency + 2 (see openWorkerConnections). */
  pool: pg.Pool;
  /**
   * For the dedicated LISTEN connection: a URL straight to PostgreSQL. Undefined behind a transaction pooler
   * without a direct URL (a pooled session cannot LISTEN): the worker then finds work by polling, and sees
   * pause/cancel of a running job at its next heartbeat.
   */
  listenUrl: string | undefined;
  /** What it runs, by job type (src/jobs/handlers.ts for `playbuddy work`). */
  handlers: JobHandlers;
  log: Logger;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  /** On stop: how long running jobs may go on (to finish, or to reach their next checkpoint) before they are aborted. */
  graceMs?: number;
  backoff?: BackoffPolicy;
  /** Stop once nothing is runnable now and nothing runs here. */
  drain?: boolean;
  /** With drain: rather than stop, wait for a retry (or a job queued for later) that falls due within this long. */
  waitRetriesMs?: number;
  /** Told of each job this worker starts and settles (for a progress display). */
  onJob?: (event: JobEvent) => void;
  /** Stop after claiming this many jobs (and finishing them). */
  maxJobs?: number;
}

export type JobOutcome = 'completed' | 'retrying' | 'failed' | 'released' | 'stopped';

export type JobEvent =
  | { kind: 'started'; jobId: string; filename: string; attempt: number }
  | { kind: 'settled'; jobId: string; filename: string; outcome: JobOutcome; ms: number; error?: string }
  | { kind: 'waiting'; ms: number };

export interface WorkerSummary {
  workerId: string;
  claimed: number;
  completed: number;
  /** Failed attempts that will be retried. */
  retried: number;
  failed: number;
  /** The jobs that failed for good, in the order they failed. */
  failedIds: string[];
  /** Handed back to the queue at shutdown without using an attempt. */
  released: number;
  /** Stopped because an operator paused or cancelled them, or their lease was lost. */
  stopped: number;
  /** Why the worker stopped. */
  reason: 'drained' | 'max-jobs' | 'stopped';
}

export interface RunningWorker {
  readonly id: string;
  /** Resolves once the worker has stopped (drained, reached max-jobs, or stop() was called). */
  readonly stopped: Promise<WorkerSummary>;
  /** Stops claiming; running jobs get `graceMs` to finish or reach a checkpoint, then are aborted and released. */
  stop(options?: { graceMs?: number }): Promise<WorkerSummary>;
}

interface Slot {
  job: ClaimedJob;
  lease: Lease;
  log: Logger;
  controller: AbortController;
  cause?: StopCause;
  /** Shutdown has begun: the next checkpoint is the last. */
  draining: boolean;
  completed: boolean;
  /** Settled outcome recorded (or deliberately not written). */
  settled: boolean;
  /** Its handler returned or threw: the slot is free for the next job while the outcome is written. */
  handlerDone: boolean;
  /** Its completion also claimed the next job(s), so no separate claim is needed when it leaves. */
  refilled: boolean;
  renewedAt: number;
  /** What the job's handler said it is doing; recorded with a failure. */
  stage: string | null;
  done: Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { pool, handlers, log } = options;
  const concurrency = options.concurrency ?? 1;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const heartbeatMs = Math.min(MAX_HEARTBEAT_MS, Math.floor(leaseMs / 3));

  const host = hostname();
  const workerId = `${host}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const wlog = log.child({ worker: workerId });
  const summary: WorkerSummary = { workerId, claimed: 0, completed: 0, retried: 0, failed: 0, failedIds: [], released: 0, stopped: 0, reason: 'stopped' };

  const active = new Map<string, Slot>();
  // Short jobs only (ahead.ts): jobs claimed and leased for the next free slot, oldest first.
  const ahead: WaitingJob[] = [];
  const durations = jobDurations();
  // Jobs asked for by claims still on their way: counted against the room for more, so none overshoots.
  let incoming = 0;
  const busySlots = () => {
    let n = 0;
    for (const s of active.values()) if (!s.handlerDone) n++;
    return n;
  };
  const roomAhead = () => (durations.short && !stopping ? Math.max(0, concurrency - ahead.length - incoming) : 0);
  let claimsLeft = options.maxJobs ?? Number.POSITIVE_INFINITY;
  let claiming = false;
  // Set by every wake-up; a claim that started before the wake-up may have missed the job, so claim again.
  let dirty = false;
  let nothingRunnable = false;
  let stopping = false;
  let stopPromise: Promise<WorkerSummary> | undefined;
  let resolveStopped!: (s: WorkerSummary) => void;
  const stopped = new Promise<WorkerSummary>((resolve) => (resolveStopped = resolve));

  await registerWorker(pool, { id: workerId, host, pid: process.pid, concurrency });
  const complete = groupCompletions((leases, limit) => completeAndClaim(pool, leases, { workerId, limit, leaseMs }));

  // Jobs of workers that died are handed back by every live worker: at start, on each poll and before a
  // drain ends (sql/recover-expired.ts), so none waits longer than its lease plus one poll interval. Never
  // two passes at once from one worker.
  let recovering: Promise<number> | null = null;
  function recover(): Promise<number> {
    recovering ??= recoverExpiredLeases(pool, workerId, backoff)
      .then((n) => {
        if (n > 0) wlog.info({ jobs: n }, 'handed back the jobs of workers whose leases expired');
        return n;
      })
      .catch((err: unknown) => {
        wlog.warn({ err: errorMessage(err) }, 'could not look for expired leases; trying again at the next poll');
        return 0;
      })
      .finally(() => (recovering = null));
    return recovering;
  }

  function wake(): void {
    dirty = true;
    if (!claiming && !stopping) void claimLoop();
  }

  async function claimLoop(): Promise<void> {
    claiming = true;
    try {
      while (!stopping) {
        while (ahead.length > 0 && busySlots() < concurrency) start(ahead.shift()!.job);
        const wanted = Math.min(concurrency - busySlots() + roomAhead(), claimsLeft);
        if (wanted <= 0) break;
        dirty = false;
        // Reserved before the await: a completion claiming its successor meanwhile must not exceed maxJobs.
        claimsLeft -= wanted;
        incoming += wanted;
        let jobs: ClaimedJob[];
        try {
          jobs = await claimJobs(pool, { workerId, limit: wanted, leaseMs });
        } catch (err) {
          claimsLeft += wanted;
          wlog.warn({ err: errorMessage(err) }, 'could not claim jobs; trying again at the next poll');
          nothingRunnable = false;
          return;
        } finally {
          incoming -= wanted;
        }
        claimsLeft += wanted - jobs.length;
        summary.claimed += jobs.length;
        await startOrHandBack(jobs);
        nothingRunnable = jobs.length < wanted;
        if (nothingRunnable && !dirty) break;
      }
    } finally {
      claiming = false;
    }
    finishIfDone();
  }

  function finishIfDone(): void {
    if (stopping || active.size > 0 || claiming || waitingForRetry) return;
    if (ahead.length > 0) {
      wake();
      return;
    }
    if (claimsLeft <= 0) void stop({ graceMs: 0 }, 'max-jobs');
    else if (options.drain && nothingRunnable) void drainOrWait();
  }

  // Draining, nothing runnable: stop, unless a retry falls due within --wait-retries; then sleep until it
  // does and claim again (the poll may find it first).
  let waitingForRetry = false;
  let retryTimer: NodeJS.Timeout | undefined;
  async function drainOrWait(): Promise<void> {
    const bound = options.waitRetriesMs ?? 0;
    let dueMs: number | null = null;
    waitingForRetry = true;
    // A dead worker's job is in nobody's hands until it is handed back: do that before calling the queue drained.
    const recovered = await recover();
    if (bound > 0 && recovered === 0) {
      dueMs = await msUntilNextDue(pool).catch((err: unknown) => {
        wlog.warn({ err: errorMessage(err) }, 'could not look for retries falling due; stopping the drain');
        return null;
      });
    }
    waitingForRetry = false;
    if (stopping || active.size > 0 || claiming) return;
    if (recovered > 0) {
      wake();
      return;
    }
    if (dueMs === null || dueMs > bound) {
      void stop({ graceMs: 0 }, 'drained');
      return;
    }
    waitingForRetry = true;
    options.onJob?.({ kind: 'waiting', ms: dueMs });
    wlog.info({ inMs: Math.round(dueMs) }, 'waiting for a retry that falls due');
    retryTimer = setTimeout(() => {
      waitingForRetry = false;
      wake();
    }, Math.ceil(dueMs) + 20);
  }

  function start(job: ClaimedJob): void {
    const slot: Slot = {
      job,
      lease: leaseOf(job),
      log: wlog.child({ job: job.id, file: job.filename, attempt: job.attempt }),
      controller: new AbortController(),
      draining: stopping,
      completed: false,
      settled: false,
      handlerDone: false,
      refilled: false,
      renewedAt: Date.now(),
      stage: null,
      done: Promise.resolve(),
    };
    active.set(job.id, slot);
    if (waitingForRetry) {
      clearTimeout(retryTimer);
      waitingForRetry = false;
    }
    slot.log.info('job started');
    options.onJob?.({ kind: 'started', jobId: job.id, filename: job.filename, attempt: job.attempt });
    slot.done = run(slot).finally(() => {
      active.delete(job.id);
      if (stopping) return;
      if (!slot.refilled || dirty) wake();
      finishIfDone();
    });
  }

  function abort(slot: Slot, cause: StopCause): void {
    if (slot.cause) return;
    slot.cause = cause;
    slot.controller.abort(new JobStopped(slot.job.id, cause));
  }

  async function run(slot: Slot): Promise<void> {
    const t0 = performance.now();
    const ctx = createJobContext({
      pool,
      leaseMs,
      log: slot.log,
      job: slot.job,
      signal: slot.controller.signal,
      afterCheckpoint() {
        if (!slot.draining) return;
        abort(slot, 'shutdown');
        throw slot.controller.signal.reason;
      },
      leaseLost: () => abort(slot, 'lease-lost'),
      stageEntered: (stage) => (slot.stage = stage),
      completed: () => (slot.completed = true),
    });
    let failure: unknown;
    let ok = false;
    try {
      const handler = handlers[slot.job.type];
      if (!handler) throw new NoHandler(slot.job.type, Object.keys(handlers));
      await handler(slot.job, ctx);
      ok = true;
    } catch (err) {
      failure = err;
    }
    slot.handlerDone = true;
    const elapsed = performance.now() - t0;
    durations.record(elapsed);
    const ms = Math.round(elapsed);
    let outcome: { outcome: JobOutcome; error?: string } = { outcome: 'stopped' };
    try {
      outcome = await settle(slot, ok, failure, ms);
    } catch (err) {
      slot.log.error({ ms, err: errorMessage(err) }, 'could not record how the job ended; once its lease expires another worker recovers it');
    }
    slot.settled = true;
    options.onJob?.({ kind: 'settled', jobId: slot.job.id, filename: slot.job.filename, ms, ...outcome });
  }

  async function settle(slot: Slot, ok: boolean, failure: unknown, ms: number): Promise<{ outcome: JobOutcome; error?: string }> {
    const { log: jlog, lease } = slot;
    // A handler that finished counts even if a stop arrived meanwhile; the fence refuses it if the lease went.
    if (slot.completed || ok) {
      let held = true;
      let next: ClaimedJob[] = [];
      if (!slot.completed) {
        // A job claimed ahead takes this slot at once, while this one's completion is on its way.
        const handedOver = !stopping && ahead.length > 0;
        if (handedOver) {
          slot.refilled = true;
          start(ahead.shift()!.job);
        }
        const refill = stopping ? 0 : Math.min((handedOver ? 0 : 1) + roomAhead(), claimsLeft);
        if (refill <= 0 && !handedOver) held = await completeJob(pool, lease, null);
        else {
          claimsLeft -= refill;
          incoming += refill;
          const out = await complete(lease, refill).finally(() => {
            claimsLeft += refill;
            incoming -= refill;
          });
          slot.refilled = true;
          held = out.completed;
          next = out.jobs;
          claimsLeft -= next.length;
          summary.claimed += next.length;
          if (next.length < refill && !dirty) nothingRunnable = true;
        }
      }
      if (held) {
        summary.completed++;
        jlog.info({ ms }, 'job completed');
      } else lost(slot, ms);
      await startOrHandBack(next);
      return { outcome: held ? 'completed' : 'stopped' };
    }
    if (slot.cause === 'operator' || slot.cause === 'lease-lost' || failure instanceof LeaseLostError) return lost(slot, ms);
    if (slot.cause === 'shutdown') {
      if (await releaseJob(pool, lease, 'worker shutting down')) {
        summary.released++;
        jlog.info({ ms, completedChunks: slot.job.completedChunks }, 'job released back to the queue (worker shutting down)');
        return { outcome: 'released' };
      }
      return lost(slot, ms);
    }
    const verdict = classifyError(failure);
    const delayMs = retryDelayMs(backoff, slot.job.attempt, verdict.kind === 'transient' ? verdict.retryAfterMs : undefined);
    const outcome = await failAttempt(pool, lease, { message: verdict.message, transient: verdict.kind === 'transient', delayMs, stage: slot.stage });
    if (!outcome) return lost(slot, ms);
    if (outcome.status === 'retrying') {
      summary.retried++;
      jlog.warn({ ms, err: verdict.message, retryInMs: delayMs }, `job failed; retry ${outcome.retryCount} in ${Math.round(delayMs / 1000)}s`);
      return { outcome: 'retrying', error: verdict.message };
    }
    summary.failed++;
    summary.failedIds.push(slot.job.id);
    jlog.error({ ms, err: outcome.failureReason }, 'job failed');
    return { outcome: 'failed', error: outcome.failureReason ?? verdict.message };
  }

  // Claimed jobs go to a free slot, else wait claimed ahead; once shutdown began they go straight back to the
  // queue, unused.
  async function startOrHandBack(jobs: ClaimedJob[]): Promise<void> {
    for (const job of jobs) {
      if (stopping) await handBack(job);
      else if (busySlots() < concurrency) start(job);
      else ahead.push({ job, renewedAt: Date.now() });
    }
  }

  async function handBack(job: ClaimedJob): Promise<void> {
    if (await releaseJob(pool, leaseOf(job), 'worker shutting down').catch(() => false)) summary.released++;
  }

  function dropAhead(jobId: string): void {
    const i = ahead.findIndex((w) => w.job.id === jobId);
    if (i >= 0) ahead.splice(i, 1);
  }

  function lost(slot: Slot, ms: number): { outcome: JobOutcome } {
    summary.stopped++;
    slot.log.info(
      { ms },
      slot.cause === 'operator' ? 'job stopped: an operator paused or cancelled it' : 'job stopped: this worker no longer holds its lease',
    );
    return { outcome: 'stopped' };
  }

  async function onControl(jobId: string): Promise<void> {
    const waiting = ahead.find((w) => w.job.id === jobId);
    if (waiting) {
      // Paused or cancelled before it started: it never starts here.
      if (!(await holdsLease(pool, leaseOf(waiting.job)).catch(() => true))) dropAhead(jobId);
      return;
    }
    const slot = active.get(jobId);
    if (!slot || slot.cause || slot.completed) return;
    // A notification may be stale: the job could have been paused, resumed and claimed by us again since.
    const held = await holdsLease(pool, slot.lease).catch(() => true);
    if (!held && !slot.completed) abort(slot, 'operator');
  }

  async function heartbeat(): Promise<void> {
    const slots = [...active.values()].filter((s) => !s.cause && !s.completed && !s.settled);
    const waiting = [...ahead];
    try {
      const held = await renewLeases(pool, workerId, [...slots.map((s) => s.lease), ...waiting.map((w) => leaseOf(w.job))], leaseMs);
      const now = Date.now();
      for (const s of slots) {
        if (held.has(s.job.id)) s.renewedAt = now;
        else if (!s.completed && !s.settled) abort(s, 'lease-lost');
      }
      for (const w of waiting) {
        if (held.has(w.job.id)) w.renewedAt = now;
        else dropAhead(w.job.id);
      }
    } catch (err) {
      wlog.warn({ err: errorMessage(err) }, 'could not renew leases');
      // Past its expiry another worker may already have recovered the job: stop before it runs twice.
      const now = Date.now();
      for (const s of slots) if (now - s.renewedAt >= leaseMs) abort(s, 'lease-lost');
      for (const w of waiting) if (now - w.renewedAt >= leaseMs) dropAhead(w.job.id);
    }
  }

  let listener: Listener = { close: async () => {} };
  try {
    if (options.listenUrl) listener = await startListener(options.listenUrl, wlog, {
      onJobs: wake,
      onControl: (id) => void onControl(id),
      onReconnected: () => {
        wake();
        void heartbeat();
      },
    });
  } catch (err) {
    await markWorkerStopped(pool, workerId).catch(() => {});
    throw err;
  }
  const pollTimer = setInterval(() => void recover().finally(wake), pollMs);
  const heartbeatTimer = setInterval(() => void heartbeat(), heartbeatMs);

  async function waitForSlots(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...active.values()].map((s) => s.done)), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  async function shutdown(graceMs: number): Promise<WorkerSummary> {
    stopping = true;
    clearInterval(pollTimer);
    clearTimeout(retryTimer);
    for (const w of ahead.splice(0)) await handBack(w.job);
    for (const s of active.values()) s.draining = true;
    if (active.size > 0) {
      wlog.info({ running: active.size, graceMs }, 'stopping: running jobs may finish or reach a checkpoint');
      await waitForSlots(graceMs);
    }
    for (const s of active.values()) abort(s, 'shutdown');
    if (active.size > 0) await waitForSlots(SETTLE_MS);
    for (const s of active.values()) {
      if (s.settled) continue;
      s.log.warn('the job ignored its abort signal; releasing it anyway (it can no longer write)');
      if (await releaseJob(pool, s.lease, 'worker shutting down').catch(() => false)) summary.released++;
    }
    clearInterval(heartbeatTimer);
    await listener.close();
    await markWorkerStopped(pool, workerId).catch((err) => wlog.warn({ err: errorMessage(err) }, 'could not record that the worker stopped'));
    wlog.info({ ...summary }, 'worker stopped');
    resolveStopped(summary);
    return summary;
  }

  function stop(stopOptions: { graceMs?: number } = {}, reason: WorkerSummary['reason'] = 'stopped'): Promise<WorkerSummary> {
    if (!stopPromise) {
      summary.reason = reason;
      stopPromise = shutdown(stopOptions.graceMs ?? options.graceMs ?? DEFAULT_GRACE_MS);
    }
    return stopPromise;
  }

  wlog.info({ concurrency, leaseMs, pollMs }, 'worker started');
  await recover();
  wake();
  return { id: workerId, stopped, stop: (o) => stop(o) };
}

const leaseOf = (job: ClaimedJob): Lease => ({ jobId: job.id, leaseToken: job.leaseToken });

/** A job of a type this worker has no handler for: it fails at once, saying which types the worker runs. */
class NoHandler extends PermanentError {
  constructor(type: string, known: string[]) {
    super(`This worker has no handler for jobs of type ${type} (it runs ${known.join(', ') || 'none'}); run it on a worker that has one, then use playbuddy retry.`);
  }
}

