import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { ROOT, runCli } from '../helpers/cli.js';

const t = testDatabase('cli_enqueue');
let dir: string;
const PLAY = 'THE TEST PLAY\n\nACT I\n\nSCENE 1\n\nALICE. Hello there.\n\nBOB. Hello, Alice.\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pb-enqueue-'));
  writeFileSync(join(dir, 'play.txt'), PLAY);
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'binary.txt'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7, 8, 0]));
  mkdirSync(join(dir, 'batch', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'batch', 'one.txt'), PLAY.replace('Hello there', 'Good morning'));
  writeFileSync(join(dir, 'batch', 'deeper', 'two.md'), PLAY.replace('Hello there', 'Good evening'));
  writeFileSync(join(dir, 'batch', 'notes.json'), '{}');
});

const cli = (args: string[], input?: string | Buffer) => runCli(args, { databaseUrl: t.url, input });

async function jobCount(): Promise<number> {
  return t.db.parseJob.count();
}

describe('playbuddy enqueue', () => {
  it('queues a file and skips the same text the second time', async () => {
    const first = await cli(['enqueue', join(dir, 'play.txt')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^enqueued\s+[0-9a-f]{8}\s+.*play\.txt/m);
    const again = await cli(['enqueue', join(dir, 'play.txt')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/skipped .*already queued \(use --force/);
    expect(await jobCount()).toBe(1);
    const forced = await cli(['enqueue', join(dir, 'play.txt'), '--force', '--json']);
    const out = JSON.parse(forced.stdout);
    expect(out.enqueued).toHaveLength(1);
    expect(await jobCount()).toBe(2);
  });

  it('stores the text, the file name, the options and a hash', async () => {
    const r = await cli(['enqueue', join(dir, 'play.txt'), '--force', '--priority', '7', '--max-retries', '1', '--chunk-size', '4000', '--json']);
    const id = JSON.parse(r.stdout).enqueued[0].id;
    const job = await t.db.parseJob.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ rawText: PLAY, filename: join(dir, 'play.txt'), priority: 7, maxRetries: 1, status: 'queued' });
    expect(job.config).toMatchObject({ parser: 'rules', chunkSize: 4000, source: { format: 'txt', encoding: 'utf-8' } });
    expect(job.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes directories and glob patterns, keeping only play files', async () => {
    const r = await cli(['enqueue', join(dir, 'batch'), join(dir, 'batch', '**', '*.md'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.enqueued.map((e: { filename: string }) => e.filename.replace(dir, '')).sort()).toEqual(['/batch/deeper/two.md', '/batch/one.txt']);
    expect(out.rejected).toEqual([]);
  });

  it('reads standard input with a name', async () => {
    const r = await cli(['enqueue', '-', '--name', 'piped.txt', '--json'], PLAY.replace('Alice', 'Carol'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).enqueued[0].filename).toBe('piped.txt');
  });

  it('rejects bad files one by one, still queues the good ones, and exits non-zero', async () => {
    const before = await jobCount();
    const good = join(dir, 'good.txt');
    writeFileSync(good, PLAY.replace('BOB', 'DAVE'));
    const r = await cli(['enqueue', join(dir, 'missing.txt'), join(dir, 'empty.txt'), join(dir, 'binary.txt'), good]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.txt does not exist/);
    expect(r.stderr).toMatch(/empty\.txt is empty/);
    expect(r.stderr).toMatch(/binary\.txt is a binary file/);
    expect(r.stdout).toMatch(/enqueued .*good\.txt/);
    expect(await jobCount()).toBe(before + 1);
  });

  it('refuses bad flags with one sentence naming the flag, before touching anything', async () => {
    const before = await jobCount();
    const r = await cli(['enqueue', join(dir, 'play.txt'), '--priority', 'high']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--priority <n>' argument 'high' is invalid/);
    const p = await cli(['enqueue', join(dir, 'play.txt'), '--parser', 'magic']);
    expect(p.code).not.toBe(0);
    expect(p.stderr).toMatch(/--parser.*magic.*Allowed choices are rules, llm, hybrid/);
    expect(await jobCount()).toBe(before);
  });

  it('enqueues the PDF and Word versions of a play', async () => {
    const r = await cli(['enqueue', join(ROOT, 'test/fixtures/formats/sample.pdf'), join(ROOT, 'test/fixtures/formats/sample.docx'), '--json', '--force']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.enqueued).toHaveLength(2);
    const jobs = await t.db.parseJob.findMany({ where: { id: { in: out.enqueued.map((e: { id: string }) => e.id) } } });
    expect(jobs.map((j) => (j.config as { source: { format: string } }).source.format).sort()).toEqual(['docx', 'pdf']);
    expect(jobs.filter((j) => j.rawText.length <= 100).map((j) => j.filename)).toEqual([]);
  });

  it('says which database it could not reach, without the password', async () => {
    const r = await runCli(['enqueue', join(dir, 'play.txt')], { databaseUrl: 'postgresql://me:hunter2@127.0.0.1:1/nowhere' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Cannot reach PostgreSQL at postgresql:\/\/me:\*\*\*@127\.0\.0\.1:1\/nowhere/m);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('playbuddy status', () => {
  it('lists recent jobs with counts per status', async () => {
    const r = await cli(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ jobs: queued \d+/m);
    expect(r.stdout).toMatch(/│ id\s+│ file\s+│ status\s+│ progress\s+│ attempts\s+│ age\s+│ last error/);
    expect(r.stdout).toMatch(/│ [0-9a-f]{8} │ .*│ queued\s+│ 0%\s+│ 0\/\d+/);
  });

  it('filters, limits and prints JSON', async () => {
    const r = await cli(['status', '--status', 'queued', '--limit', '2', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.jobs).toHaveLength(2);
    expect(out.jobs.map((j: { status: string }) => j.status)).toEqual(['queued', 'queued']);
    expect(out.counts.queued).toBe(await t.db.parseJob.count({ where: { status: 'queued' } }));
    expect(out.jobs[0]).not.toHaveProperty('rawText');
  });

  it('shows one job by id prefix with its history', async () => {
    const job = await t.db.parseJob.findFirstOrThrow();
    const r = await cli(['status', job.id.slice(0, 8)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(job.id);
    expect(r.stdout).toMatch(/history:/);
    expect(r.stdout).toMatch(/enqueued/);
  });

  it('says so when the id is unknown', async () => {
    const r = await cli(['status', 'deadbeef']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No job has an id starting with deadbeef/);
  });
});
