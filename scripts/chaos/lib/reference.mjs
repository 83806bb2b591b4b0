import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { exportPlays } from './app.mjs';
import { createDatabase, dropDatabase } from './database.mjs';
import { Processes } from './processes.mjs';

// What each completed job should have stored: the same text with the same settings, run once by a single
// worker with nothing going wrong (no faults, a model server that always answers), in a database of its own,
// and exported the way `playbuddy export` prints it. Texts are written back under the exact name the job
// recorded (the parser may use it), so a file replaced during the run is run once per version it had.

export function settingsKey(config) {
  const c = config ?? {};
  return JSON.stringify([c.parser ?? 'rules', c.provider ?? null, c.model ?? null, c.chunkSize ?? null]);
}

export function referenceKey(filename, contentHash, config) {
  return `${filename}\u0000${contentHash}\u0000${settingsKey(config)}`;
}

/**
 * `texts`: [{ filename, contentHash, config, rawText }], distinct by referenceKey. Returns referenceKey →
 * exported JSON text, and the keys whose reference run did not complete (with why).
 */
export async function prepareReference(runDir, env) {
  const db = await createDatabase('ref');
  const dir = mkdirp(join(runDir, 'reference'));
  const processes = new Processes({ runDir: dir, cwd: dir, env: { ...env, DATABASE_URL: db.url } });
  const migrated = await processes.run(['db', 'migrate']);
  if (migrated.code !== 0) throw new Error(`reference database: db migrate failed: ${migrated.stderr}`);
  return { db, dir, processes };
}

export async function computeReferences({ reference, texts, llmArgsFor, modelUrl, settings }) {
  const { db, dir, processes } = reference;
  try {
    // One generation per version of a file name, each in a folder of its own with the recorded name inside.
    const generations = [];
    const seen = new Map();
    for (const t of texts) {
      const g = seen.get(t.filename) ?? 0;
      seen.set(t.filename, g + 1);
      (generations[g] ??= []).push(t);
    }
    for (const [g, group] of generations.entries()) {
      const cwd = join(dir, `g${g}`);
      for (const t of group) {
        mkdirp(join(cwd, t.filename, '..'));
        writeFileSync(join(cwd, t.filename), t.rawText);
      }
      for (const parser of ['rules', 'llm']) {
        const files = group.filter((t) => (t.config?.parser ?? 'rules') === parser).map((t) => t.filename);
        if (files.length === 0) continue;
        const extra = parser === 'llm' ? llmArgsFor(modelUrl) : [];
        const r = await processes.run(['enqueue', '--force', '--max-retries', '0', ...extra, ...files], { timeoutMs: 300_000, cwd });
        if (r.code !== 0) throw new Error(`reference enqueue failed: ${r.stderr}`);
      }
    }
    const work = await processes.run(
      ['work', '--drain', '--concurrency', '1', '--lease', `${settings.leaseMs * 10}ms`, '--poll-interval', '200ms'],
      { timeoutMs: 900_000, label: 'reference worker' },
    );
    if (work.code !== 0) throw new Error(`reference worker failed: ${work.stderr.slice(-2000)}`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT filename, "contentHash", config, status::text AS status, "playbookId", "failureReason" FROM "ParseJob"`);
    await client.end();
    const exported = await exportPlays(db.url, rows.filter((r) => r.playbookId).map((r) => r.playbookId));
    const refs = new Map();
    const failed = [];
    for (const r of rows) {
      const key = referenceKey(r.filename, r.contentHash, r.config);
      if (r.status === 'completed' && r.playbookId) refs.set(key, exported.get(r.playbookId));
      else failed.push({ filename: r.filename, status: r.status, reason: r.failureReason });
    }
    return { refs, failed };
  } finally {
    await processes.close();
    await dropDatabase(db.name);
  }
}

function mkdirp(path) {
  mkdirSync(path, { recursive: true });
  return path;
}
