import type pg from 'pg';
import type { Db, Prisma } from '../../src/db/client.js';
import { enqueueJobs } from '../../src/queue/repository.js';
import type { PlayJobConfig as JobConfig } from '../../src/jobs/parse-play/config.js';
import type { TestDatabase } from '../helpers/db.js';
import { LeaseLostError, type ClaimedJob, type Checkpoint, type JobContext } from '../../src/worker/handler.js';

// A stand-in for the worker's job context, writing to the database the way the worker does (one update per
// checkpoint, the play and the completion in one transaction), with switches to interrupt a run at chosen
// points: after k checkpoints (a killed process), or at completion (a lost lease).

export interface TestContextOptions {
  /** The checkpoint after this many successful ones throws instead of writing (the process died). */
  dieAfterCheckpoints?: number;
  /** `complete` throws LeaseLostError without storing anything. */
  loseLeaseAtComplete?: boolean;
  signal?: AbortSignal;
}

export interface TestContext extends JobContext {
  checkpointsWritten: number;
  events: Array<{ name: string; details?: Record<string, unknown> }>;
}

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

const silentLog = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLog } as unknown as JobContext['log'];
export { silentLog };

export function testContext({ db, sql }: { db: Db; sql: pg.Pool }, jobId: string, options: TestContextOptions = {}): TestContext {
  const ctx: TestContext = {
    signal: options.signal ?? new AbortController().signal,
    log: silentLog,
    checkpointsWritten: 0,
    events: [],
    async checkpoint(cp: Checkpoint) {
      if (options.dieAfterCheckpoints !== undefined && ctx.checkpointsWritten >= options.dieAfterCheckpoints) {
        throw new SimulatedCrash(`died after ${ctx.checkpointsWritten} checkpoints`);
      }
      await db.$executeRaw`
        UPDATE "ParseJob" SET "currentState" = ${JSON.stringify(cp.state)}::jsonb, "completedChunks" = ${cp.completedChunks},
               "totalChunks" = ${cp.totalChunks}, progress = ${cp.progress},
               checkpoints = checkpoints || ${JSON.stringify([cp.entry])}::jsonb, "updatedAt" = now()
        WHERE id = ${jobId}`;
      ctx.checkpointsWritten += 1;
    },
    async progress(p) {
      await db.$executeRaw`UPDATE "ParseJob" SET stage = ${p.stage}, progress = ${p.progress} WHERE id = ${jobId}`;
    },
    enterStage() {},
    async addUsage(usage) {
      await db.parseJob.update({
        where: { id: jobId },
        data: { inputTokens: { increment: usage.inputTokens }, outputTokens: { increment: usage.outputTokens }, costUsd: { increment: usage.costUsd } },
      });
    },
    async event(name, details) {
      ctx.events.push({ name, details });
      await db.jobEvent.create({ data: { jobId, event: name, details: (details ?? {}) as Prisma.InputJsonValue } });
    },
    async complete(store) {
      if (options.loseLeaseAtComplete) throw new LeaseLostError(jobId);
      const client = await sql.connect();
      try {
        await client.query('BEGIN');
        const { playbookId } = await store(client);
        await client.query(`UPDATE "ParseJob" SET status = 'completed', "playbookId" = $2, "completedAt" = now(), progress = 100 WHERE id = $1`, [jobId, playbookId]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
  };
  return ctx;
}

export async function createJob(t: TestDatabase, rawText: string, config: JobConfig, extra: { filename?: string; replacesPlaybookId?: string | null } = {}): Promise<string> {
  const [outcome] = await enqueueJobs(t.sql, [{ rawText, filename: extra.filename ?? 'toy.txt', config, replacesPlaybookId: extra.replacesPlaybookId }], { force: true });
  if (outcome?.kind !== 'enqueued') throw new Error('the test job was not enqueued');
  await t.db.parseJob.update({ where: { id: outcome.id }, data: { status: 'running' } });
  return outcome.id;
}

/** The job as a worker would claim it now: with whatever state the last run saved. */
export async function claimed(db: Db, jobId: string, attempt = 1): Promise<ClaimedJob> {
  const row = await db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
  return {
    id: row.id,
    type: row.type,
    filename: row.filename,
    rawText: row.rawText,
    config: row.config as JobConfig | null,
    attempt,
    currentState: row.currentState,
    completedChunks: row.completedChunks,
    totalChunks: row.totalChunks,
    checkpoints: row.checkpoints as unknown[],
    replacesPlaybookId: row.replacesPlaybookId,
    spentCostUsd: row.costUsd,
    workerId: 'test-worker',
    leaseToken: 'test-lease',
  };
}
