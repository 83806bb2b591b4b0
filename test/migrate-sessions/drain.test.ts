import { beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { testDatabase } from '../helpers/db.js';
import { migrateSessions } from '../../src/legacy/migrate.js';
import { createParseJobHandler } from '../../src/jobs/parse-play/handler.js';
import { openWorkerConnections } from '../../src/worker/connections.js';
import { startWorker } from '../../src/worker/worker.js';
import { insertSession, smallPlay as play } from './sessions.js';

// The end of a migration: a draining worker finishes every interrupted session with the real rules parser,
// starting over where the old app's context cannot be resumed, and leaves finished ones alone.

const t = testDatabase('migrate_drain');
const ids: Record<string, string> = {};
const log = pino({ level: process.env.PLAYBUDDY_TEST_LOG ?? 'silent' });

beforeAll(async () => {
  ids.interrupted = await insertSession(t.db, {
    status: 'parsing',
    filename: 'morning.txt',
    rawText: play('MORNING', 'ALICE', 'BOB'),
    currentChunk: 1,
    totalChunks: 2,
    title: 'Morning',
    author: 'A. Writer',
    currentState: { characters: [{ name: 'ALICE' }], currentActIndex: 0, currentSceneIndex: 0 },
  });
  ids.malformed = await insertSession(t.db, {
    status: 'parsing',
    filename: 'evening.txt',
    rawText: play('EVENING', 'CAROL', 'DAVE'),
    currentChunk: 1,
    currentState: '{"characters": [',
  });
  ids.pending = await insertSession(t.db, { status: 'pending', filename: 'noon.txt', rawText: play('NOON', 'ERIN', 'FRANK') });
  ids.warming = await insertSession(t.db, { status: 'warming', filename: 'night.txt', rawText: play('NIGHT', 'GRACE', 'HEIDI') });
  ids.completed = await insertSession(t.db, { status: 'completed', playbookId: 'pb-old', rawText: play('DONE', 'IVAN', 'JUDY') });
  ids.failed = await insertSession(t.db, { status: 'failed', failureReason: 'gave up', rawText: play('FAILED', 'KEN', 'LIZ') });
});

describe('migrated sessions under a draining worker', () => {
  it('completes every interrupted session and leaves finished ones as they were', async () => {
    const report = await migrateSessions(t.db, { batchSize: 500, parse: { parser: 'rules', chunkSize: 12_000 } });
    expect(report.migrated).toBe(6);

    const connections = openWorkerConnections(t.url, { concurrency: 2 });
    try {
      const worker = await startWorker({ ...connections, listenUrl: t.url, handlers: { PARSE_PLAY: createParseJobHandler({ log }) }, log, concurrency: 2, drain: true, pollMs: 200 });
      const summary = await worker.stopped;
      expect(summary).toMatchObject({ reason: 'drained', completed: 4, failed: 0 });
    } finally {
      await connections.close();
    }

    for (const key of ['interrupted', 'malformed', 'pending', 'warming']) {
      const job = await t.db.parseJob.findUniqueOrThrow({ where: { legacySessionId: ids[key] } });
      expect(job, key).toMatchObject({ status: 'completed', progress: 100, failureReason: null });
      const playbook = await t.db.playbook.findUniqueOrThrow({ where: { id: job.playbookId! }, include: { characters: true, acts: { include: { scenes: true } } } });
      expect(playbook.characters, key).toHaveLength(2);
      expect(playbook.acts[0]!.scenes, key).toHaveLength(2);
    }

    // The old contexts could not be resumed: the job says it started over.
    for (const key of ['interrupted', 'malformed']) {
      const job = await t.db.parseJob.findUniqueOrThrow({ where: { legacySessionId: ids[key] } });
      const events = await t.db.jobEvent.findMany({ where: { jobId: job.id }, orderBy: { createdAt: 'asc' } });
      expect(events.map((e) => e.event), key).toEqual(expect.arrayContaining(['migrated', 'restarted']));
      expect(events[0]!.event).toBe('migrated');
    }
    expect(await t.db.parseJob.findUniqueOrThrow({ where: { legacySessionId: ids.completed } })).toMatchObject({ status: 'completed', playbookId: 'pb-old' });
    expect(await t.db.parseJob.findUniqueOrThrow({ where: { legacySessionId: ids.failed } })).toMatchObject({ status: 'failed', failureReason: 'gave up' });
  });
});
