// A real PgBouncer (Debian's package) in front of a PostgreSQL server, for the tests and bench:queue: transaction
// pooling with a stock configuration (no `ignore_startup_parameters`; 1.18 has no prepared statements in this
// mode), on a free local port, in a folder of its own that stop() removes.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export function pgbouncerBinary() {
  for (const path of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) {
    if (spawnSync(path, ['--version']).status === 0) return path;
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function accepts(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * @param {string} serverUrl any URL of the PostgreSQL server to pool (its host, port and user are used)
 * @param {{ poolSize?: number }} [options] server connections per database and user
 * @returns {Promise<{ port: number, url(database: string): string, stop(): Promise<void> }>}
 */
export async function startPgBouncer(serverUrl, options = {}) {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)');
  const target = new URL(serverUrl);
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
  let child;
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    for (const path of [dir, join(dir, 'users.txt'), join(dir, 'pgbouncer.ini')]) chownSync(path, uid, gid);
    child = spawn('runuser', ['-u', 'postgres', '--', binary, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  } else {
    child = spawn(binary, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  }
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const url = (database) => {
    const u = new URL(serverUrl);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    u.pathname = '/' + encodeURIComponent(database);
    return u.toString();
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(url('postgres')))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url, stop };
}
