import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'playbuddy.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI as a user would (`npm test` builds first), against the given database. */
export function runCli(
  args: string[],
  options: {
    databaseUrl?: string;
    env?: NodeJS.ProcessEnv;
    input?: string | Buffer;
    cwd?: string;
    timeoutMs?: number;
    /** Runs the CLI as this OS user (tests running as root need one whom file permissions apply to). */
    user?: { uid: number; gid: number };
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, NO_COLOR: '1' };
    if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, uid: options.user?.uid, gid: options.user?.gid });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
