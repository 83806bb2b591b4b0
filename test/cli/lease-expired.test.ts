import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';
import { enqueue } from '../worker/support.js';

// A job whose worker stopped renewing its lease (a double Ctrl-C, kill -9, a frozen process) is still
// `running` in the table until another worker's claim recovers it. `status` must not present it as running.

const t = testDatabase('cli_lease_expired');

describe('status of a job whose lease expired', () => {
  it('says the lease expired, when, and that the job waits for recovery, in the list and in detail', async () => {
    const [id] = await enqueue(t, 1, { label: 'abandoned' });
    // What a worker that exited without handing the job back leaves behind, half a minute later.
    await t.sql.query(
      `UPDATE "ParseJob" SET status = 'running', "workerId" = 'gone:1:abc', "leaseToken" = 'tok', "lockedAt" = now() - interval '2 minutes',
              "lockExpiry" = now() - interval '30 seconds', "startedAt" = now() - interval '2 minutes' WHERE id = $1`,
      [id],
    );
    const expected = /lease expired \d+s ago \(\d\d:\d\d:\d\d UTC\), waiting for recovery/;

    const list = await runCli(['status'], { databaseUrl: t.url });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.replace(/\s+/g, ' ')).toMatch(/lease expired/);

    const detail = await runCli(['status', id!], { databaseUrl: t.url });
    expect(detail.code, detail.stderr).toBe(0);
    expect(detail.stdout).toMatch(expected);
  });
});
