import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type CliResult } from '../helpers/cli.js';
import type { TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';

// For the queue-level LLM tests: the CLI as separate processes (a worker that can be killed mid-job), and
// everything a key could leak into, gathered as text.

export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts the compiled CLI without waiting for it, so a test can act while it runs (cancel, SIGKILL). */
export function startCli(args: string[], options: { databaseUrl: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, NO_COLOR: '1', DATABASE_URL: options.databaseUrl };
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'playbuddy.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

/** Every row of the job tables as JSON text: what an operator with database access could read. */
export async function databaseText(t: TestDatabase): Promise<string> {
  const rows = await t.db.$queryRawUnsafe<Array<{ row: string }>>(
    `SELECT row_to_json(j)::text AS row FROM "ParseJob" j
     UNION ALL SELECT row_to_json(e)::text FROM "JobEvent" e
     UNION ALL SELECT row_to_json(w)::text FROM "Worker" w`,
  );
  return rows.map((r) => r.row).join('\n');
}

export async function until(predicate: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(what, async () => await predicate(), timeoutMs);
}
