import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { exportPlays } from './app.mjs';
import { createDatabase, dropDatabase } from './database.mjs';
import { Processes } from './processes.mjs';

// What each completed job should have stored: the same text with the same settings, run by one worker process
// with nothing going wrong (no faults, a model server that always answers), in a database of its own, and
// exported the way `playbuddy export` prints it. Every text the run enqueues is enqueued here too, at the same
// moment and under the same name (the parser may use it), so the reference worker runs alongside the chaos
// instead of after it; a text it missed (a file edited between the two enqueues) is run at the end.

export function settingsKey(config) {
  const c = config ?? {};
  return JSON.stringify([c.parser ?? 'rules', c.provider ?? null, c.model ?? null, c.chunkSize ?? null]);
}

export function referenceKey(filename, contentHash, config) {
  return `${filename}\u0000${contentHash}\u0000${settingsKey(config)}`;
}

export class Reference {
  static async prepare({ runDir, env, settings }) {
    const db = await createDatabase('ref');
    const dir = join(runDir, 'reference');
    mkdirSync(dir, { recursive: true });
    // A slow machine must not fail a reference call: the reference model server never hangs anyway.
    const processes = new Processes({ runDir: dir, cwd: runDir, env: { ...env, DATABASE_URL: db.url, PLAYBUDDY_LLM_TIMEOUT_SECONDS: '120' } });
    const migrated = await processes.run(['db', 'migrate'], { timeoutMs: 600_000 });
    if (migrated.code !== 0) throw new Error(`reference database: db migrate failed: ${migrated.stderr}`);
    return new Reference(db, dir, processes, settings);
  }

  constructor(db, dir, processes, settings) {
    this.db = db;
    this.dir = dir;
    this.processes = processes;
    this.settings = settings;
    this.worker = null;
  }

  /** The single reference worker, running until `finish`. */
  start() {
    this.worker = this.processes.start(
      ['--log-format', 'json', 'work', '--concurrency', '2', '--lease', `${this.settings.leaseMs * 10}ms`, '--poll-interval', '200ms'],
      { logName: 'worker.log' },
    );
  }

  /** The same files as the run enqueues, with the same parse settings (`llmArgs` point at the clean server). */
  async enqueue(files, llmArgs) {
    const r = await this.processes.run(['enqueue', '--force', '--max-retries', '2', ...llmArgs, ...files], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`reference enqueue failed: ${r.stderr}`);
  }

  /**
   * `texts`: [{ filename, contentHash, config, rawText }] of the run's completed jobs. Runs what is missing,
   * waits for the reference worker to finish, and returns referenceKey → exported JSON, plus the reference
   * jobs that did not complete.
   */
  async finish(texts, llmArgsFor) {
    try {
      const client = new pg.Client({ connectionString: this.db.url });
      await client.connect();
      try {
        const have = new Set((await client.query(`SELECT filename, "contentHash", config FROM "ParseJob"`)).rows.map((r) => referenceKey(r.filename, r.contentHash, r.config)));
        const missing = texts.filter((t) => !have.has(referenceKey(t.filename, t.contentHash, t.config)));
        await this.#runMissing(missing, llmArgsFor);
        for (;;) {
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM "ParseJob" WHERE status IN ('queued', 'running', 'retrying')`);
          if (rows[0].n === 0) break;
          if (this.worker.child.exitCode !== null) throw new Error('the reference worker stopped before its queue was empty');
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const { rows } = await client.query(`SELECT filename, "contentHash", config, status::text AS status, "playbookId", "failureReason" FROM "ParseJob"`);
        const exported = await exportPlays(this.db.url, rows.filter((r) => r.playbookId).map((r) => r.playbookId));
        const refs = new Map();
        const failed = [];
        for (const r of rows) {
          if (r.status === 'completed' && r.playbookId) refs.set(referenceKey(r.filename, r.contentHash, r.config), exported.get(r.playbookId));
          else failed.push({ filename: r.filename, status: r.status, reason: r.failureReason });
        }
        return { refs, failed, missing: missing.length };
      } finally {
        await client.end();
      }
    } finally {
      this.worker?.child.kill('SIGTERM');
      await this.worker?.exited;
      await this.processes.close();
      await dropDatabase(this.db.name);
    }
  }

  // One generation per version of a file name, each in a folder of its own with the recorded name inside.
  async #runMissing(missing, llmArgsFor) {
    const generations = [];
    const seen = new Map();
    for (const t of missing) {
      const g = seen.get(t.filename) ?? 0;
      seen.set(t.filename, g + 1);
      (generations[g] ??= []).push(t);
    }
    for (const [g, group] of generations.entries()) {
      const cwd = join(this.dir, `g${g}`);
      for (const t of group) {
        mkdirSync(join(cwd, t.filename, '..'), { recursive: true });
        writeFileSync(join(cwd, t.filename), t.rawText);
      }
      for (const parser of ['rules', 'llm']) {
        const files = group.filter((t) => (t.config?.parser ?? 'rules') === parser).map((t) => t.filename);
        if (files.length === 0) continue;
        const r = await this.processes.run(['enqueue', '--force', '--max-retries', '2', ...(parser === 'llm' ? llmArgsFor() : []), ...files], { timeoutMs: 300_000, cwd });
        if (r.code !== 0) throw new Error(`reference enqueue failed: ${r.stderr}`);
      }
    }
  }
}
