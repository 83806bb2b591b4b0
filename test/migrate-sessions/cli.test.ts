import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import type { MigrationReport } from '../../src/legacy/report.js';
import { insertSession, refuseJobsFor, acceptAllJobs } from './sessions.js';

// The command as an operator runs it: --dry-run, the real run, the run again, JSON for scripts.

const t = testDatabase('migrate_cli');
beforeAll(async () => {
  await insertSession(t.db, { status: 'parsing', filename: 'macbeth.txt', currentChunk: 2, totalChunks: 5, currentState: { act: 1 } });
  await insertSession(t.db, { status: 'parsing', filename: 'broken.txt', currentChunk: 1, currentState: 'not a context' });
  await insertSession(t.db, { status: 'completed', filename: 'lear.txt' });
  await insertSession(t.db, { status: 'aborted', filename: 'tempest.txt' });
  await insertSession(t.db, { status: 'pending', filename: 'blank.txt', rawText: '' });
});

const cli = (...args: string[]) => runCli(['--log-level', 'warn', 'migrate-sessions', ...args], { databaseUrl: t.url });

describe('playbuddy migrate-sessions', () => {
  it('--dry-run prints what would happen and writes nothing', async () => {
    const r = await cli('--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dry run: nothing was written/);
    expect(r.stdout).toMatch(/would be migrated\s*│\s*4/);
    expect(r.stdout).toMatch(/parsing\s*│\s*queued\s*│\s*2/);
    expect(r.stdout).toMatch(/blank\.txt.*empty/);
    expect(r.stdout).toMatch(/broken\.txt/);
    expect(r.stderr).toMatch(/old app is stopped/);
    expect(await t.db.parseJob.count()).toBe(0);
  });

  it('migrates with a summary table, then skips everything when run again (--json)', async () => {
    const r = await cli();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ migrated\s*│ 4 │/);
    expect(r.stdout).toMatch(/skipped, already migrated\s*│ 0 │/);
    expect(r.stdout).toMatch(/cannot be migrated\s*│ 1 │/);
    expect(r.stdout).toMatch(/failed \(rolled back; run again\)\s*│ 0 │/);
    expect(r.stdout).toMatch(/will start over from the first chunk\s*│ 2 │/);
    expect(r.stdout).toMatch(/unreadable context\s*│ 1 │/);
    expect(await t.db.parseJob.count()).toBe(4);

    const again = await cli('--json');
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as MigrationReport;
    expect(report).toMatchObject({ dryRun: false, sessions: 5, migrated: 0, alreadyMigrated: 4, failed: 0, deleted: 0, stopped: false });
    expect(report.unmigratable).toEqual([expect.objectContaining({ filename: 'blank.txt', status: 'pending' })]);
    // Nothing unfinished is left to migrate, so no warning.
    expect(again.stderr).not.toMatch(/old app/);
    expect(await t.db.parseJob.count()).toBe(4);
  });

  it('exits non-zero when a batch fails, and --fail-fast stops there', async () => {
    await insertSession(t.db, { status: 'failed', filename: 'poison.txt' });
    await refuseJobsFor(t.db, 'poison.txt');
    try {
      const r = await cli('--json', '--fail-fast', '--batch-size', '1');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as MigrationReport;
      expect(report.failed).toBe(1);
      expect(report.stopped).toBe(true);
      expect(report.failedBatches[0]).toMatchObject({ sessions: 1, stage: 'write', error: expect.stringMatching(/poison/) });
      const text = await cli('--batch-size', '2');
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/error: batch .* failed to migrate and was rolled back: .*poison/);
    } finally {
      await acceptAllJobs(t.db);
    }
  });

  it('--delete-migrated removes the migrated sessions and keeps those it could not migrate', async () => {
    const r = await cli('--delete-migrated', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as MigrationReport;
    expect(report).toMatchObject({ migrated: 1, alreadyMigrated: 4, deleted: 5 });
    const left = await t.db.parsingSession.findMany({ select: { filename: true } });
    expect(left).toEqual([{ filename: 'blank.txt' }]);
  });

  it('refuses a bad batch size before touching the database', async () => {
    const r = await cli('--batch-size', '0');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--batch-size/);
  });
});
