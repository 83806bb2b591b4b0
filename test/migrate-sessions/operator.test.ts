import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import type { MigrationReport } from '../../src/legacy/report.js';
import { insertSession, smallPlay } from './sessions.js';

// What an operator switching over does, in order: look first, migrate, make sure, let a worker finish.

const t = testDatabase('migrate_operator');

beforeAll(async () => {
  await insertSession(t.db, { status: 'parsing', filename: 'visit.txt', rawText: smallPlay('THE VISIT', 'ANNA', 'BERT'), currentChunk: 1, totalChunks: 3, currentState: { act: 0 } });
  await insertSession(t.db, { status: 'pending', filename: 'visit-2.txt', rawText: smallPlay('THE RETURN', 'CLARA', 'DAN') });
  await insertSession(t.db, { status: 'completed', filename: 'done.txt', playbookId: 'pb-done' });
  await insertSession(t.db, { status: 'failed', filename: 'bad.txt', failureReason: 'quota' });
  await insertSession(t.db, { status: 'aborted', filename: 'stopped.txt' });
});

const cli = (...args: string[]) => runCli(['--log-level', 'warn', ...args], { databaseUrl: t.url, timeoutMs: 120_000 });
const report = (stdout: string) => JSON.parse(stdout) as MigrationReport;

describe('switching a database over to the queue', () => {
  it('dry run, migrate, migrate again, then work --drain finishes the interrupted sessions', async () => {
    const dry = await cli('migrate-sessions', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(report(dry.stdout)).toMatchObject({ dryRun: true, migrated: 5 });
    expect(await t.db.parseJob.count()).toBe(0);

    const real = await cli('migrate-sessions', '--json');
    expect(report(real.stdout)).toMatchObject({ dryRun: false, migrated: 5, alreadyMigrated: 0, failed: 0 });

    const again = await cli('migrate-sessions', '--json');
    expect(report(again.stdout)).toMatchObject({ migrated: 0, alreadyMigrated: 5 });
    expect(await t.db.parseJob.count()).toBe(5);

    const work = await cli('work', '--drain');
    expect(work.code, work.stderr).toBe(0);
    const statuses = await t.db.parseJob.findMany({ select: { filename: true, status: true, playbookId: true }, orderBy: { filename: 'asc' } });
    expect(statuses.map((j) => [j.filename, j.status])).toEqual([
      ['bad.txt', 'failed'],
      ['done.txt', 'completed'],
      ['stopped.txt', 'cancelled'],
      ['visit-2.txt', 'completed'],
      ['visit.txt', 'completed'],
    ]);
    const finished = statuses.filter((j) => j.filename.startsWith('visit'));
    expect(await t.db.playbook.count({ where: { id: { in: finished.map((j) => j.playbookId!) } } })).toBe(2);
  });
});
