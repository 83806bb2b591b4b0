import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

// The README's install step, as a user runs it from a clone: `npm install -g .` puts `playbuddy` on PATH.
// Here the global prefix is a temporary folder, and the installed command runs from outside the checkout.

const run = promisify(execFile);
let prefix: string;
let elsewhere: string;
let t: TestDatabase;

beforeAll(async () => {
  prefix = mkdtempSync(join(tmpdir(), 'pb-prefix-'));
  elsewhere = mkdtempSync(join(tmpdir(), 'pb-elsewhere-'));
  t = await createTestDatabase('install');
});
afterAll(async () => {
  rmSync(prefix, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
  await t?.drop();
});

describe('npm install -g from a clone', () => {
  it('puts a working playbuddy on PATH', async () => {
    const env = { ...process.env, npm_config_prefix: prefix, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    await run('npm', ['install', '-g', '.'], { cwd: ROOT, env, timeout: 120_000 });
    const path = `${join(prefix, 'bin')}:${process.env.PATH}`;
    const version = await run('playbuddy', ['--version'], { cwd: elsewhere, env: { ...process.env, PATH: path } });
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(expected);
    const status = await run('playbuddy', ['status'], { cwd: elsewhere, env: { ...process.env, PATH: path, DATABASE_URL: t.url } });
    expect(status.stdout).toMatch(/^0 jobs/);
  }, 150_000);
});
