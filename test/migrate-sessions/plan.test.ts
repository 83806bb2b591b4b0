import { describe, expect, it } from 'vitest';
import { contextKind, planSession, type SessionHeader } from '../../src/legacy/plan.js';

// The per-session decisions, without a database: the odd values old rows hold.

const parse = { parser: 'rules' as const, chunkSize: 12_000 };
const header = (over: Partial<SessionHeader>): SessionHeader => ({
  id: 's1',
  status: 'parsing',
  filename: 'a.txt',
  playbookId: 'pb1',
  currentChunk: 0,
  totalChunks: 4,
  title: null,
  author: null,
  year: null,
  genre: null,
  description: null,
  startedAt: new Date('2024-01-01T00:00:00Z'),
  completedAt: null,
  failureReason: null,
  contextType: null,
  blankText: false,
  migratedJobId: null,
  ...over,
});

const job = (over: Partial<SessionHeader>) => {
  const plan = planSession(header(over), parse);
  if (plan.kind !== 'migrate') throw new Error(`expected a migration, got ${plan.kind}`);
  return plan.job;
};

describe('planSession', () => {
  it('keeps chunk counts within the total the old app recorded', () => {
    expect(job({ currentChunk: 9, totalChunks: 4 })).toMatchObject({ completedChunks: 4, progress: 100 });
    expect(job({ currentChunk: -1 })).toMatchObject({ completedChunks: 0, progress: 0 });
    expect(job({ currentChunk: 1, totalChunks: 3 })).toMatchObject({ completedChunks: 1, progress: 33.3 });
  });

  it('reports a completed session as complete whatever its chunk counter says', () => {
    expect(job({ status: 'completed', currentChunk: 3, totalChunks: 4 })).toMatchObject({ completedChunks: 4, progress: 100, playbookId: 'pb1' });
    expect(job({ status: 'completed', totalChunks: 0 })).toMatchObject({ totalChunks: null, progress: 100 });
  });

  it('keeps a queued job free of failure and start marks, but shows the old error', () => {
    expect(job({ status: 'parsing', failureReason: 'timeout' })).toMatchObject({ status: 'queued', failureReason: null, lastError: 'timeout', startedAt: null });
    expect(job({ status: 'aborted', failureReason: 'stopped' })).toMatchObject({ status: 'cancelled', failureReason: 'stopped', lastError: 'stopped' });
  });

  it('puts only the metadata the session has into the config', () => {
    expect(job({ title: 'Hamlet', author: '  ', year: 0, genre: null }).config).toEqual({ ...parse, metadata: { title: 'Hamlet', year: 0 } });
  });

  it('leaves migrated and empty sessions alone', () => {
    expect(planSession(header({ migratedJobId: 'j1', blankText: null }), parse)).toEqual({ kind: 'already-migrated', jobId: 'j1' });
    expect(planSession(header({ blankText: true }), parse)).toMatchObject({ kind: 'unmigratable' });
  });

  it('tells a saved context from an unreadable one', () => {
    expect([null, 'null', 'object', 'string', 'array', 'number'].map(contextKind)).toEqual(['none', 'none', 'saved', 'unreadable', 'unreadable', 'unreadable']);
  });
});
