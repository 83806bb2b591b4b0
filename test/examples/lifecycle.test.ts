import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

// Examples to read: what happens to a play from the moment it is queued to the moment it can be shown,
// told through the commands a person types. Each step says what it shows about the design; the details of
// every step have tests of their own (test/cli, test/worker, test/queue).

const t = testDatabase('examples');
const playbuddy = (...args: string[]) => runCli(args, { databaseUrl: t.url });
const RIDERS = join(ROOT, 'test', 'fixtures', 'plays', 'synge-riders-to-the-sea.txt');

describe('a play from enqueue to show', { timeout: 120_000 }, () => {
  it('is queued, parsed by a worker, and then shown', async () => {
    // 1. `enqueue` only records the work: one job row and its `enqueued` event, nothing parsed yet.
    const queued = await playbuddy('enqueue', RIDERS, '--json');
    expect(queued.code).toBe(0);
    const [job] = JSON.parse(queued.stdout).enqueued as Array<{ id: string }>;
    const id = job!.id.slice(0, 8); // every command takes a unique prefix of an id

    // 2. The same text again is recognised by its content, not its name, and not queued twice.
    const again = await playbuddy('enqueue', RIDERS, '--json');
    expect(JSON.parse(again.stdout).duplicates).toEqual([expect.objectContaining({ existingId: job!.id, existingStatus: 'queued' })]);

    // 3. A worker does the parsing. `--drain` makes it stop once nothing is left, as a cron job would.
    const work = await playbuddy('work', '--drain', '--log-level', 'warn');
    expect(work.code).toBe(0);
    expect(work.stdout).toContain('nothing left to run now: ran 1 job (1 completed); the queue is empty');

    // 4. `status <id>` tells the job's story from its events: queued, claimed by a worker, completed.
    const status = await playbuddy('status', id);
    expect(status.stdout).toMatch(/^status\s+completed$/m);
    expect(status.stdout).toMatch(/^parser\s+rules, chunks of 12000 chars, from txt \(utf-8\)$/m);
    const events = [...status.stdout.matchAll(/│ \S+ \S+ │ (\S+)\s+│/g)].map((m) => m[1]);
    expect(events).toEqual(['enqueued', 'running', 'completed']);

    // 5. The stored play is found by the job's id too, and reads as a play: title, author, cast, acts.
    const show = await playbuddy('show', id);
    expect(show.code).toBe(0);
    expect(show.stdout.split('\n').slice(0, 2)).toEqual(['Riders to the Sea', 'by J. M. Synge']);
    expect(show.stdout).toMatch(/^ {2}Maurya\s+31 {2}\(MAURYA\) an old woman$/m);
  });

  it('answers an id that names nothing with one sentence and a non-zero exit', async () => {
    // An operator command on a job id that does not exist: one sentence, a hint, a non-zero exit.
    const cancel = await playbuddy('cancel', 'ffffffff');
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain('No job has an id starting with ffffffff.');

    // `show` of something never stored says so instead of printing an empty play.
    const show = await playbuddy('show', 'ffffffff');
    expect(show.code).not.toBe(0);
    expect(show.stderr).toMatch(/^error: No stored play or job has an id starting with ffffffff\.$/m);
  });
});
