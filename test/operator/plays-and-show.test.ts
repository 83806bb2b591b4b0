import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openTerminal } from '../helpers/tmux.js';

// The read side as a person uses it: deleting asks first on a terminal, `show -c` finds a character by
// part of its name, and lists say when a filter matched nothing.

let t: TestDatabase;
const DOLLS_HOUSE = join(ROOT, 'test', 'fixtures', 'plays', 'ibsen-a-dolls-house.txt');
const RIDERS = join(ROOT, 'test', 'fixtures', 'plays', 'synge-riders-to-the-sea.txt');
const cli = (args: string[]) => runCli(args, { databaseUrl: t.url });
let dollsHouse: string;

beforeAll(async () => {
  t = await createTestDatabase('plays_show');
  const r = await cli(['enqueue', DOLLS_HOUSE, RIDERS, '--json']);
  dollsHouse = JSON.parse(r.stdout).enqueued[0].id;
  expect((await cli(['work', '--drain'])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

async function playOf(jobId: string): Promise<string | null> {
  const job = await t.db.parseJob.findUniqueOrThrow({ where: { id: jobId } });
  return job.playbookId && (await t.db.playbook.count({ where: { id: job.playbookId } })) ? job.playbookId : null;
}

describe('show --character', { timeout: 90_000 }, () => {
  it('finds a character by a unique part of the name', async () => {
    const r = await cli(['show', dollsHouse.slice(0, 8), '-c', 'Torvald']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^A Doll's House — Torvald Helmer: \d+ speeches$/);
    expect((await cli(['show', dollsHouse.slice(0, 8), '-c', 'linde'])).stdout.split('\n')[0]).toMatch(/— Mrs\. Linde: /);
  });

  it('names the candidates when the part fits several', async () => {
    const r = await cli(['show', dollsHouse.slice(0, 8), '-c', 'el']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: "el" names several characters: .*Torvald Helmer/m);
  });
});

describe('status with a filter', () => {
  it('says when no job matches', async () => {
    const r = await cli(['status', '--status', 'failed,paused']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2 jobs: completed 2\nno failed or paused jobs\n/);
  });
});

describe('plays --limit', () => {
  it('says how many there are when it lists fewer', async () => {
    expect((await cli(['plays', '--limit', '1'])).stdout.split('\n')[0]).toBe('the newest 1 of 2 stored plays (--limit shows more)');
    expect((await cli(['plays'])).stdout.split('\n')[0]).toBe('2 stored plays');
  });

  it('filters by title, author and file name', async () => {
    const titles = async (args: string[]) => ((JSON.parse((await cli(['plays', '--json', ...args])).stdout) as Array<{ title: string }>).map((p) => p.title));
    expect(await titles(['--author', 'ibsen'])).toEqual(["A Doll's House"]);
    expect(await titles(['--title', 'RIDERS'])).toEqual(['Riders to the Sea']);
    expect(await titles(['--file', 'synge-'])).toEqual(['Riders to the Sea']);
    expect(await titles(['--file', 'fixtures/plays', '--author', 'synge'])).toEqual(['Riders to the Sea']);
    expect(await titles(['--title', '%'])).toEqual([]);
    const none = await cli(['plays', '--author', 'nobody']);
    expect(none.stdout.trim()).toBe('no stored play matches');
    expect((await cli(['plays', '--file', 'fixtures', '--limit', '1'])).stdout.split('\n')[0]).toBe('2 stored plays match; the newest 1 shown (--limit shows more)');
  });
});

describe('plays delete', { timeout: 90_000 }, () => {
  it('refuses without --yes where nobody can answer, and deletes with it', async () => {
    const refused = await cli(['plays', 'delete', dollsHouse.slice(0, 8)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no terminal to ask on[\s\S]*hint: Pass --yes/);
    expect(await playOf(dollsHouse)).not.toBeNull();
    expect((await cli(['plays', 'delete', '--help'])).stdout).toMatch(/Examples:/);
  });

  it('asks on a terminal: no keeps the play, yes deletes it', async () => {
    const playId = (await playOf(dollsHouse))!;
    const command = `${process.execPath} ${join(ROOT, 'bin', 'playbuddy.js')} plays delete ${dollsHouse.slice(0, 8)}`;
    const no = openTerminal(command, { env: { DATABASE_URL: t.url } });
    try {
      await no.waitForScreen(/Delete "A Doll's House" by Henrik Ibsen \([0-9a-f]{8}\) with all its lines\? \[y\/N\]/);
      no.send(['n', 'Enter']);
      await no.waitForScreen(/kept\s+[0-9a-f]{8}\s+A Doll's House[\s\S]*\[exit 0\]/);
    } finally {
      no.close();
    }
    expect(await playOf(dollsHouse)).toBe(playId);

    const yes = openTerminal(command, { env: { DATABASE_URL: t.url } });
    try {
      await yes.waitForScreen(/\[y\/N\]/);
      yes.send(['y', 'Enter']);
      await yes.waitForScreen(/deleted\s+[0-9a-f]{8}\s+A Doll's House[\s\S]*\[exit 0\]/);
    } finally {
      yes.close();
    }
    expect(await playOf(dollsHouse)).toBeNull();
  });

  it('deletes at once with --yes', async () => {
    const r = await cli(['plays', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const riders = (JSON.parse(r.stdout) as Array<{ id: string }>)[0]!.id;
    const d = await cli(['plays', 'delete', riders.slice(0, 8), '--yes']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/^deleted\s+/);
    expect(await t.db.playbook.count()).toBe(0);
  });
});
