import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { createTestDatabase, emptyDatabases, type TestDatabase } from '../helpers/db.js';
import { openTerminal } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { insertSession } from '../migrate-sessions/sessions.js';

// The spinners of enqueue, migrate-sessions and db migrate in a real terminal (tmux), and their absence
// where no person watches them: standard error piped, --json, CI=1, NO_COLOR. Each command is held at a
// lock it must take (the test holds it), so it is busy for as long as the test looks, with no timing.

const BIN = join(ROOT, 'bin', 'playbuddy.js');
const PLAYS = join(ROOT, 'test', 'fixtures', 'plays');
// ora's frames ("dots"), then the text.
const FRAME = '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]';
// Advisory lock keys: the duplicate rule's (src/queue/sql/fragments.ts) and the migrations' (src/db/migrate.ts).
const DEDUP_KEY = 0x656e71;
const MIGRATION_KEY = 0x706c6179;

let t: TestDatabase;
const empties = emptyDatabases();
beforeAll(async () => {
  t = await createTestDatabase('spinners');
});
afterAll(async () => {
  await empties.dropAll();
  await t?.drop();
});

interface Variant {
  name: string;
  /** Wraps the command line. */
  wrap(command: string): string;
  /** Extra arguments. */
  args: string[];
  spinner: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'a terminal', wrap: (c) => c, args: [], spinner: true },
  { name: 'standard error piped', wrap: (c) => `${c} 2>&1 | cat`, args: [], spinner: false },
  { name: '--json', wrap: (c) => c, args: ['--json'], spinner: false },
  { name: 'CI=1', wrap: (c) => `CI=1 ${c}`, args: [], spinner: false },
  { name: 'NO_COLOR=1', wrap: (c) => `NO_COLOR=1 ${c}`, args: [], spinner: false },
];

/** Holds an advisory lock on `url`'s database until the returned function is called. */
async function holdLock(url: string, key: number): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('SELECT pg_advisory_lock($1)', [key]);
  return () => c.end();
}

/** Waits until some session of `url`'s database waits for the advisory lock: the command is held there. */
async function waitUntilBlocked(url: string, key: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await waitFor('the command to wait for the lock', async () => {
      const { rows } = await c.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [key],
      );
      return rows.length > 0;
    }, 60_000);
  } finally {
    await c.end();
  }
}

/**
 * Runs the command in a terminal while its lock is held: with a spinner expected, waits for it; without,
 * looks at the screen once the command has waited at the lock for a while (past the 300 ms a spinner waits
 * before it shows). Then lets it finish and checks its exit and that no spinner is left on the screen.
 */
async function check(v: Variant, o: { url: string; key: number; command: string; text: RegExp; done: RegExp }) {
  const release = await holdLock(o.url, o.key);
  const term = openTerminal(v.wrap(`${process.execPath} ${BIN} ${o.command} ${v.args.join(' ')}`), { env: { DATABASE_URL: o.url } });
  try {
    const spinning = new RegExp(`${FRAME} ${o.text.source}`);
    if (v.spinner) {
      await term.waitForScreen(spinning, 60_000);
    } else {
      await waitUntilBlocked(o.url, o.key);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(term.screen(), v.name).not.toMatch(o.text);
      expect(term.screen(), v.name).not.toMatch(new RegExp(FRAME));
    }
    await release();
    const end = await term.waitForScreen(/\[exit \d+\]/, 60_000);
    expect(end, v.name).toMatch(/\[exit 0\]/);
    expect(end, v.name).toMatch(o.done);
    expect(end, v.name).not.toMatch(spinning);
  } finally {
    term.close();
    await release().catch(() => {});
  }
}

describe('spinners', { timeout: 300_000 }, () => {
  it('enqueue shows one while it waits on a terminal, and none piped, with --json, CI=1 or NO_COLOR', async () => {
    const files = ['chekhov-medved.txt', 'synge-riders-to-the-sea.txt', 'kleist-der-zerbrochne-krug.txt', 'lessing-emilia-galotti.txt', 'wilde-importance-of-being-earnest.txt'];
    for (const [i, v] of VARIANTS.entries()) {
      await check(v, { url: t.url, key: DEDUP_KEY, command: `enqueue ${join(PLAYS, files[i]!)}`, text: /queueing 1 text/, done: /enqueued/ });
    }
  });

  it('migrate-sessions shows one on a terminal only', async () => {
    for (const [i, v] of VARIANTS.entries()) {
      await insertSession(t.db, { status: 'completed', filename: `spinner-${i}.txt` });
      await check(v, { url: t.url, key: DEDUP_KEY, command: 'migrate-sessions', text: /(counting|migrating) sessions/, done: /migrated/ });
    }
  });

  it('db migrate shows one on a terminal only', async () => {
    for (const v of VARIANTS) {
      const d = await empties.create('spinner_migrate');
      await check(v, { url: d.url, key: MIGRATION_KEY, command: 'db migrate', text: /applying migrations/, done: /create index|"applied"/ });
    }
  });
});
