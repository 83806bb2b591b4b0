import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { insertSession, smallPlay } from '../migrate-sessions/sessions.js';

// The one duplicate rule, through every path that creates or revives a job, as a user meets it: a job is a
// duplicate of another when both have the same text and the same parse settings (parser, provider, model,
// chunk size) and the other is queued, running, retrying or paused, or completed with its play still stored.

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase('duplicate_rule');
  dir = mkdtempSync(join(tmpdir(), 'pb-duplicates-'));
});
afterAll(async () => {
  await t.drop();
});

const cli = (...args: string[]) => runCli(args, { databaseUrl: t.url, timeoutMs: 120_000 });

async function enqueueJson(...args: string[]) {
  const r = await cli('enqueue', ...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { enqueued: Array<{ id: string }>; duplicates: Array<{ existingId: string; existingStatus: string }> };
}

async function drain(): Promise<void> {
  const r = await cli('work', '--drain', '--poll-interval', '100ms');
  expect(r.code, r.stderr).toBe(0);
}

function play(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const job = (id: string) => t.db.parseJob.findUniqueOrThrow({ where: { id } });
const eventsOf = async (id: string) => (await t.db.jobEvent.findMany({ where: { jobId: id }, orderBy: { createdAt: 'asc' } })).map((e) => ({ event: e.event, details: e.details }));
const HYBRID = ['--parser', 'hybrid', '--provider', 'openai-compatible', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1'];

// Each case runs several commands (and a worker) as separate processes.
describe('the duplicate rule', { timeout: 180_000 }, () => {
  it('enqueue: other parse settings are no duplicate, and a file whose play was deleted can be queued again', async () => {
    const file = play('settings.txt', smallPlay('THE SETTINGS', 'ANNA', 'BERT'));
    const [first] = (await enqueueJson(file)).enqueued;
    await drain();
    const stored = await job(first!.id);
    expect(stored.status).toBe('completed');

    expect((await enqueueJson(file)).duplicates).toEqual([expect.objectContaining({ existingId: first!.id, existingStatus: 'completed' })]);
    expect((await enqueueJson(file, '--chunk-size', '4000')).enqueued).toHaveLength(1);
    expect((await enqueueJson(file, ...HYBRID)).enqueued).toHaveLength(1);

    const deleted = await cli('plays', 'delete', stored.playbookId!, '--yes');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await enqueueJson(file)).enqueued).toHaveLength(1);
  });

  it('retry: refuses a job whose text another job now holds, naming that job; --force overrides', async () => {
    const file = play('retried.txt', smallPlay('THE RETRY', 'CARL', 'DORA'));
    const [first] = (await enqueueJson(file)).enqueued;
    expect((await cli('cancel', first!.id)).code).toBe(0);
    const [second] = (await enqueueJson(file)).enqueued;
    expect(second).toBeDefined();

    const refused = await cli('retry', first!.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Job ${first!.id.slice(0, 8)} was not retried: job ${second!.id.slice(0, 8)} (queued) already parses the same text with the same settings.`);
    expect(refused.stderr).toMatch(/hint: Retry with --force/);
    expect((await job(first!.id)).status).toBe('cancelled');

    const forced = await cli('retry', first!.id, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await job(first!.id)).status).toBe('queued');
    await drain();
  });

  it('retry --all-failed: of several failed jobs of one text, one is retried and the others are refused', async () => {
    const file = play('failed-twice.txt', smallPlay('THE FAILURES', 'EVA', 'FRED'));
    const ids = [...(await enqueueJson(file)).enqueued, ...(await enqueueJson(file, '--force')).enqueued].map((j) => j.id);
    // Both failed for good (a parser outage, say): set directly, as a worker's last attempt would leave them.
    await t.sql.query(`UPDATE "ParseJob" SET status = 'failed', "failureReason" = 'outage' WHERE id = ANY($1)`, [ids]);

    const r = await cli('retry', '--all-failed', '--json');
    expect(r.code).toBe(1);
    const outcomes = JSON.parse(r.stdout) as Array<{ ok: boolean; id: string; message?: string }>;
    expect(outcomes.filter((o) => ids.includes(o.id)).map((o) => o.ok).sort()).toEqual([false, true]);
    expect(outcomes.find((o) => ids.includes(o.id) && !o.ok)!.message).toMatch(/already parses the same text with the same settings/);
    const statuses = await Promise.all(ids.map(async (id) => (await job(id)).status));
    expect(statuses.sort()).toEqual(['failed', 'queued']);
    await drain();
  });

  it('enqueue --replace: several replace jobs of one file leave exactly one play; the others are superseded', async () => {
    const file = play('replaced.txt', smallPlay('THE FIRST DRAFT', 'GUS', 'HANNA'));
    const [original] = (await enqueueJson(file)).enqueued;
    await drain();
    const before = await t.db.playbook.count();

    // Two new versions queued before either is parsed.
    writeFileSync(file, smallPlay('THE SECOND DRAFT', 'GUS', 'HANNA'));
    const [second] = (await enqueueJson(file, '--replace')).enqueued;
    writeFileSync(file, smallPlay('THE THIRD DRAFT', 'GUS', 'HANNA'));
    const [third] = (await enqueueJson(file, '--replace')).enqueued;
    await drain();

    expect(await t.db.playbook.count()).toBe(before);
    const jobs = await Promise.all([original!, second!, third!].map((j) => job(j.id)));
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    const holders = jobs.filter((j) => j.playbookId !== null);
    expect(holders).toHaveLength(1);
    expect(await t.db.playbook.count({ where: { id: holders[0]!.playbookId! } })).toBe(1);
    for (const superseded of jobs.filter((j) => j.playbookId === null)) {
      expect((await eventsOf(superseded.id)).map((e) => e.event)).toContain('superseded');
    }

    // The same text again: nothing changed since the stored play, so nothing is replaced.
    const unchanged = await enqueueJson(file, '--replace');
    expect(unchanged.enqueued).toEqual([]);
    expect(unchanged.duplicates).toHaveLength(1);
  });

  it('migrate-sessions: a session whose text already has a job becomes a cancelled duplicate, named and counted', async () => {
    const text = smallPlay('THE OLD APP', 'IDA', 'JON');
    const [existing] = (await enqueueJson(play('old-app.txt', text))).enqueued;
    const twin = smallPlay('THE TWINS', 'KAI', 'LEA');
    const sessions = [
      await insertSession(t.db, { status: 'pending', filename: 'old-app.txt', rawText: text }),
      await insertSession(t.db, { status: 'parsing', filename: 'twin-1.txt', rawText: twin }),
      await insertSession(t.db, { status: 'pending', filename: 'twin-2.txt', rawText: twin }),
    ];

    const r = await cli('migrate-sessions', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { migrated: number; duplicates: number };
    expect(report).toMatchObject({ migrated: 3, duplicates: 2 });

    const [ofExisting, ...twins] = await Promise.all(sessions.map((id) => t.db.parseJob.findFirstOrThrow({ where: { legacySessionId: id } })));
    expect(ofExisting).toMatchObject({ status: 'cancelled', failureReason: `duplicate of ${existing!.id}` });
    // Of two sessions with one text, whichever is migrated first is queued; the other is its duplicate.
    const kept = twins.find((j) => j.status === 'queued')!;
    expect(kept).toBeDefined();
    expect(twins.find((j) => j.id !== kept.id)).toMatchObject({ status: 'cancelled', failureReason: `duplicate of ${kept.id}` });
    expect(await eventsOf(ofExisting!.id)).toEqual([{ event: 'migrated', details: expect.objectContaining({ to: 'cancelled', duplicateOf: existing!.id }) }]);

    // Run again: every session has its job, nothing new is made.
    const again = JSON.parse((await cli('migrate-sessions', '--json')).stdout) as { migrated: number; alreadyMigrated: number };
    expect(again).toMatchObject({ migrated: 0 });
  });
});
