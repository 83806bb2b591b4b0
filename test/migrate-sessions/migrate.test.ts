import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { testDatabase } from '../helpers/db.js';
import { migrateSessions, type MigrateOptions } from '../../src/legacy/migrate.js';
import { enqueueJobs } from '../../src/queue/repository.js';
import { contentHash } from '../../src/queue/hash.js';
import { JOBS_CHANNEL } from '../../src/queue/notify.js';
import { insertSession, largePlay } from './sessions.js';

// One database holding a session in every status, plus the awkward ones: interrupted with a saved context,
// malformed contexts, a 5 MB play, an empty text, and two sessions holding the same text.

const t = testDatabase('migrate_sessions');
const ids: Record<string, string> = {};
const HUGE = largePlay(5_000_000);
const START = new Date('2024-03-01T09:15:30.123Z');
const END = new Date('2024-03-01T09:45:00.456Z');
const options: MigrateOptions = { batchSize: 500, parse: { parser: 'rules', chunkSize: 12_000 } };

beforeAll(async () => {
  const db = t.db;
  ids.pending = await insertSession(db, { status: 'pending', title: 'Pending Play', startedAt: START });
  ids.warming = await insertSession(db, { status: 'warming', totalChunks: 0 });
  ids.parsing = await insertSession(db, {
    status: 'parsing',
    filename: 'hamlet.txt',
    rawText: HUGE,
    currentChunk: 3,
    totalChunks: 8,
    title: 'Hamlet',
    author: 'William Shakespeare',
    year: 1603,
    genre: 'Tragedy',
    description: 'The prince of Denmark.',
    currentState: { characters: [{ name: 'HAMLET' }], currentAct: 0, currentScene: 1, lines: 42 },
    startedAt: START,
  });
  ids.malformedString = await insertSession(db, { status: 'parsing', currentChunk: 1, currentState: '{"characters": [{"name": "HAM' });
  ids.malformedArray = await insertSession(db, { status: 'failed', currentState: [1, 2, 3], failureReason: 'context broke' });
  ids.completed = await insertSession(db, {
    status: 'completed',
    playbookId: 'pb-completed',
    currentChunk: 4,
    totalChunks: 4,
    startedAt: START,
    completedAt: END,
    currentState: { done: true },
  });
  ids.failed = await insertSession(db, { status: 'failed', currentChunk: 2, totalChunks: 4, failureReason: 'LLM quota exceeded', startedAt: START, completedAt: END });
  ids.aborted = await insertSession(db, { status: 'aborted', currentChunk: 1, failureReason: 'aborted by user' });
  ids.empty = await insertSession(db, { status: 'pending', filename: 'empty.txt', rawText: '  \n\t\n' });
  ids.twinA = await insertSession(db, { status: 'completed', filename: 'twin-a.txt', rawText: 'ACT I\r\n\r\nHORATIO. Twin.\r\n' });
  ids.twinB = await insertSession(db, { status: 'completed', filename: 'twin-b.txt', rawText: 'ACT I\r\n\r\nHORATIO. Twin.\r\n' });
});

async function counts() {
  const [jobs, events, sessions] = await Promise.all([t.db.parseJob.count(), t.db.jobEvent.count(), t.db.parsingSession.count()]);
  return { jobs, events, sessions };
}

const jobOf = (sessionId: string) => t.db.parseJob.findUniqueOrThrow({ where: { legacySessionId: sessionId } });

describe('migrate-sessions', () => {
  it('dry run: counts per old and new status, lists what cannot be migrated, writes nothing', async () => {
    const before = await counts();
    const report = await migrateSessions(t.db, { ...options, dryRun: true });
    expect(await counts()).toEqual(before);
    expect(before.jobs).toBe(0);
    expect(report).toMatchObject({ dryRun: true, sessions: 11, migrated: 10, alreadyMigrated: 0, failed: 0, deleted: 0 });
    expect(report.unmigratable).toEqual([{ sessionId: ids.empty, filename: 'empty.txt', status: 'pending', reason: expect.stringMatching(/empty/) }]);
    const byPair = Object.fromEntries(report.transitions.map((x) => [`${x.from}>${x.to}`, x.sessions]));
    expect(byPair).toEqual({
      'pending>queued': 1,
      'warming>queued': 1,
      'parsing>queued': 2,
      'completed>completed': 3,
      'failed>failed': 2,
      'aborted>cancelled': 1,
    });
    expect(report.unreadableContexts.map((u) => u.sessionId).sort()).toEqual([ids.malformedString, ids.malformedArray].sort());
    // Both interrupted parsing sessions had progress; the pending and warming ones had none.
    expect(report.restarting).toBe(2);
  });

  it('migrates every status with its fields, one job and one event per session', async () => {
    const report = await migrateSessions(t.db, options);
    expect(report).toMatchObject({ dryRun: false, sessions: 11, migrated: 10, alreadyMigrated: 0, failed: 0, failedBatches: [] });
    expect(await counts()).toEqual({ jobs: 10, events: 10, sessions: 11 });
    expect(await t.db.parseJob.count({ where: { legacySessionId: ids.empty } })).toBe(0);

    const statuses = Object.fromEntries(
      await Promise.all(Object.entries(ids).filter(([k]) => k !== 'empty').map(async ([k, id]) => [k, (await jobOf(id)).status])),
    );
    expect(statuses).toEqual({
      pending: 'queued',
      warming: 'queued',
      parsing: 'queued',
      malformedString: 'queued',
      malformedArray: 'failed',
      completed: 'completed',
      failed: 'failed',
      aborted: 'cancelled',
      twinA: 'completed',
      twinB: 'completed',
    });
  });

  it('keeps the text, metadata, context and progress of an interrupted session, without its playbook', async () => {
    const job = await jobOf(ids.parsing!);
    expect(job.rawText.length).toBe(HUGE.length);
    // Compared by digest: a failing toBe would print two 5 MB strings.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(sha(job.rawText)).toBe(sha(HUGE));
    expect(job).toMatchObject({
      filename: 'hamlet.txt',
      status: 'queued',
      totalChunks: 8,
      completedChunks: 3,
      progress: 37.5,
      playbookId: null,
      createdAt: START,
      startedAt: null,
      completedAt: null,
      retryCount: 0,
      workerId: null,
      lockedAt: null,
      lockExpiry: null,
      leaseToken: null,
      contentHash: contentHash(HUGE),
      checkpoints: [],
    });
    expect(job.config).toEqual({
      parser: 'rules',
      chunkSize: 12_000,
      metadata: { title: 'Hamlet', author: 'William Shakespeare', year: 1603, genre: 'Tragedy', description: 'The prince of Denmark.' },
    });
    expect(job.currentState).toEqual({ characters: [{ name: 'HAMLET' }], currentAct: 0, currentScene: 1, lines: 42 });
    expect(job.runAfter.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('keeps a malformed context as it is', async () => {
    expect((await jobOf(ids.malformedString!)).currentState).toBe('{"characters": [{"name": "HAM');
    expect((await jobOf(ids.malformedArray!)).currentState).toEqual([1, 2, 3]);
  });

  it('gives only completed jobs their playbook, and carries timestamps and failures', async () => {
    expect(await jobOf(ids.completed!)).toMatchObject({
      playbookId: 'pb-completed',
      progress: 100,
      completedChunks: 4,
      createdAt: START,
      startedAt: START,
      completedAt: END,
      failureReason: null,
      lastError: null,
    });
    expect(await jobOf(ids.failed!)).toMatchObject({
      playbookId: null,
      progress: 50,
      completedChunks: 2,
      failureReason: 'LLM quota exceeded',
      lastError: 'LLM quota exceeded',
      createdAt: START,
      completedAt: END,
    });
    expect(await jobOf(ids.aborted!)).toMatchObject({ status: 'cancelled', playbookId: null, failureReason: 'aborted by user' });
    // A session with no chunk count yet: nothing to compute progress from.
    expect(await jobOf(ids.warming!)).toMatchObject({ totalChunks: null, completedChunks: 0, progress: 0 });
    // Without metadata the config holds only the parse settings.
    expect((await jobOf(ids.warming!)).config).toEqual({ parser: 'rules', chunkSize: 12_000 });
  });

  it('records where each job came from in a migrated event', async () => {
    const job = await jobOf(ids.parsing!);
    const events = await t.db.jobEvent.findMany({ where: { jobId: job.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: 'migrated',
      details: { sessionId: ids.parsing, from: 'parsing', to: 'queued', context: 'saved', legacyPlaybookId: expect.any(String) },
    });
    const malformedJob = await t.db.parseJob.findUniqueOrThrow({ where: { legacySessionId: ids.malformedString } });
    const malformed = await t.db.jobEvent.findFirstOrThrow({ where: { jobId: malformedJob.id } });
    expect(malformed.details).toMatchObject({ context: 'unreadable' });
  });

  it('makes one job per session even when two sessions hold the same text, hashed as enqueue hashes it', async () => {
    const [a, b] = [await jobOf(ids.twinA!), await jobOf(ids.twinB!)];
    expect(a.id).not.toBe(b.id);
    expect(a.contentHash).toBe(contentHash('ACT I\n\nHORATIO. Twin.\n'));
    expect(b.contentHash).toBe(a.contentHash);
    // Enqueuing the same play afterwards is no duplicate of them: the legacy play ids they carry name no
    // stored play (the duplicate rule counts a completed job only while its play is stored).
    const [outcome] = await enqueueJobs(t.sql, [{ rawText: 'ACT I\n\nHORATIO. Twin.\n', filename: 'again.txt', config: options.parse }]);
    expect(outcome).toMatchObject({ kind: 'enqueued' });
  });

  it('creates nothing when run again', async () => {
    const before = await counts();
    const report = await migrateSessions(t.db, options);
    expect(await counts()).toEqual(before);
    expect(report).toMatchObject({ sessions: 11, migrated: 0, alreadyMigrated: 10, failed: 0, transitions: [], restarting: 0 });
    expect(report.unmigratable).toHaveLength(1);
  });

  it('hashes texts in the database exactly as contentHash does', async () => {
    const texts = ['a\r\nb\rc\n', 'Ünïcødé — ‘quotes’ 𝄞\r\n', 'x\r\r\n\n', 'plain'];
    const sessionIds = await Promise.all(texts.map((rawText, i) => insertSession(t.db, { status: 'failed', filename: `hash-${i}.txt`, rawText })));
    await migrateSessions(t.db, options);
    for (const [i, id] of sessionIds.entries()) expect((await jobOf(id)).contentHash).toBe(contentHash(texts[i]!));
  });

  it('wakes idle workers when it queues jobs', async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    try {
      const woken = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.channel)));
      await listener.query(`LISTEN ${JOBS_CHANNEL}`);
      await insertSession(t.db, { status: 'pending', filename: 'wake.txt' });
      await migrateSessions(t.db, options);
      expect(await woken).toBe(JOBS_CHANNEL);
    } finally {
      await listener.end();
    }
  });

  it('makes exactly one job per session when two runs race', async () => {
    const fresh = await Promise.all(Array.from({ length: 40 }, (_, i) => insertSession(t.db, { status: 'pending', filename: `race-${i}.txt` })));
    const before = await counts();
    const [a, b] = await Promise.all([migrateSessions(t.db, { ...options, batchSize: 7 }), migrateSessions(t.db, { ...options, batchSize: 7 })]);
    expect(a.migrated + b.migrated).toBe(40);
    expect(a.failed + b.failed).toBe(0);
    const after = await counts();
    expect(after.jobs - before.jobs).toBe(40);
    expect(after.events - before.events).toBe(40);
    expect(await t.db.parseJob.count({ where: { legacySessionId: { in: fresh } } })).toBe(40);
  });
});
