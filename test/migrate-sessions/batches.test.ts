import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { migrateSessions, type MigrateOptions } from '../../src/legacy/migrate.js';
import { acceptAllJobs, insertManySessions, insertSession, refuseJobsFor, sessionIdsInOrder } from './sessions.js';

// 20 sessions read 3 at a time; one of them cannot be written, which must take its whole batch down with it.

const t = testDatabase('migrate_batches');
let order: string[];
let poisonAt: number;
const BATCH = 3;
const options: MigrateOptions = { batchSize: BATCH, parse: { parser: 'rules', chunkSize: 12_000 } };

beforeAll(async () => {
  await insertManySessions(t.db, 19);
  const poison = await insertSession(t.db, { status: 'parsing', filename: 'poison.txt', currentChunk: 1, currentState: { act: 0 } });
  order = await sessionIdsInOrder(t.db);
  poisonAt = order.indexOf(poison);
});
beforeEach(async () => {
  await t.db.$executeRawUnsafe(`TRUNCATE "ParseJob", "JobEvent" CASCADE`);
  await acceptAllJobs(t.db);
});

const batchOf = (index: number) => order.slice(index - (index % BATCH), index - (index % BATCH) + BATCH);
const migratedIds = async () =>
  new Set((await t.db.parseJob.findMany({ select: { legacySessionId: true } })).map((j) => j.legacySessionId!));

describe('migrate-sessions in batches', () => {
  it('reads and writes every batch when the batch is smaller than the table', async () => {
    const seen: number[] = [];
    const report = await migrateSessions(t.db, { ...options, onBatch: (r) => seen.push(r.sessions) });
    expect(report).toMatchObject({ sessions: 20, migrated: 20, failed: 0, stopped: false });
    expect(seen).toEqual([3, 6, 9, 12, 15, 18, 20]);
    expect(await t.db.parseJob.count()).toBe(20);
    expect(await t.db.jobEvent.count()).toBe(20);
  });

  it('rolls back a failing batch whole, reports it and goes on with the next ones', async () => {
    await refuseJobsFor(t.db, 'poison.txt');
    const failedBatch = batchOf(poisonAt);
    const report = await migrateSessions(t.db, options);
    expect(report).toMatchObject({ sessions: 20, migrated: 20 - failedBatch.length, failed: failedBatch.length, stopped: false });
    expect(report.failedBatches).toEqual([
      {
        firstSessionId: failedBatch[0],
        lastSessionId: failedBatch.at(-1),
        sessions: failedBatch.length,
        stage: 'write',
        error: expect.stringMatching(/refusing a job for poison\.txt/),
      },
    ]);
    const migrated = await migratedIds();
    expect(order.filter((id) => !migrated.has(id))).toEqual(failedBatch);
    expect(await t.db.jobEvent.count()).toBe(20 - failedBatch.length);

    // Once the cause is gone, running again completes the migration and leaves the rest alone.
    await acceptAllJobs(t.db);
    const again = await migrateSessions(t.db, options);
    expect(again).toMatchObject({ migrated: failedBatch.length, alreadyMigrated: 20 - failedBatch.length, failed: 0 });
    expect(await t.db.parseJob.count()).toBe(20);
  });

  it('stops at the failing batch with failFast, keeping the batches before it', async () => {
    await refuseJobsFor(t.db, 'poison.txt');
    const firstOfFailed = poisonAt - (poisonAt % BATCH);
    const report = await migrateSessions(t.db, { ...options, failFast: true });
    const failedBatch = batchOf(poisonAt);
    expect(report).toMatchObject({ sessions: firstOfFailed + failedBatch.length, migrated: firstOfFailed, failed: failedBatch.length, stopped: true });
    expect([...(await migratedIds())].sort()).toEqual(order.slice(0, firstOfFailed).sort());
  });

  // Last: it deletes the sessions the other tests share.
  it('deletes migrated sessions only, never those of a failed batch', async () => {
    await refuseJobsFor(t.db, 'poison.txt');
    const failedBatch = batchOf(poisonAt);
    const report = await migrateSessions(t.db, { ...options, deleteMigrated: true });
    expect(report.deleted).toBe(20 - failedBatch.length);
    expect((await sessionIdsInOrder(t.db)).sort()).toEqual([...failedBatch].sort());
    // Every job still points at the session it came from, so nothing is migrated twice later.
    expect(await t.db.parseJob.count()).toBe(20 - failedBatch.length);

    await acceptAllJobs(t.db);
    const again = await migrateSessions(t.db, { ...options, deleteMigrated: true });
    expect(again).toMatchObject({ sessions: failedBatch.length, migrated: failedBatch.length, deleted: failedBatch.length });
    expect(await t.db.parsingSession.count()).toBe(0);
    expect(await t.db.parseJob.count()).toBe(20);
  });
});
