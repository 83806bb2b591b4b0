import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serverUrl } from './db-names.js';
import { waitFor } from './wait.js';

// A real PgBouncer (Debian's package) in front of the test server, in transaction pooling mode with a stock
// configuration: no `ignore_startup_parameters`, no prepared-statement support (1.18 has none in this mode).

export interface PgBouncer {
  port: number;
  /** The URL of `database` through the pooler. */
  url(database: string): string;
  stop(): Promise<void>;
}

export function pgbouncerBinary(): string | undefined {
  for (const path of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) {
    if (spawnSync(path, ['--version']).status === 0) return path;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPgBouncer(options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)');
  const target = new URL(serverUrl('postgres'));
  const user = decodeURIComponent(target.username) || userInfo().username;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pb-pgbouncer-'));
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 1000',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
    ].join('\n') + '\n',
  );
  // PgBouncer refuses to run as root; CI runs as root, so it is started as the database's system user.
  const asRoot = process.getuid?.() === 0;
  let child: ChildProcess;
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    for (const f of ['users.txt', 'pgbouncer.ini']) chownSync(join(dir, f), Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    child = spawn('runuser', ['-u', 'postgres', '--', binary, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  } else {
    child = spawn(binary, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (database: string) => {
    const u = new URL(serverUrl(database));
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  await waitFor(
    'pgbouncer to accept connections',
    async () => {
      const c = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => {});
      }
    },
    15_000,
  );
  return {
    port,
    url,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
