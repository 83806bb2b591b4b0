import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PROBE_MARK } from './statements.mjs';

// What PostgreSQL itself spends on a piece of work, measured so that a busy machine barely moves it: CPU
// time of the server processes serving one database (from /proc, so only when the server runs on this
// machine) and the WAL written meanwhile. Wall-clock time on a shared 2-core machine mostly measures the
// neighbours; these measure the work.

/** Connections of the benchmark itself (this probe, polling for an empty queue) carry this name and are left out. */
export const PROBE_APPLICATION = 'bench-probe';

/** Nanoseconds a process has run on a CPU; null when /proc does not show it (a server elsewhere). */
function onCpuNs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/**
 * pg_waldump and the server's WAL directory, when this machine can read them (the server runs here and we
 * may read its files): then WAL records are counted exactly between two positions. Otherwise they come from
 * pg_stat_wal, which backends update only when they go idle, so a count can spill into the next window.
 */
async function walDumper(client) {
  const { rows } = await client.query(`${PROBE_MARK} SELECT current_setting('data_directory') AS dir, current_setting('server_version_num')::int / 10000 AS major`).catch(() => ({ rows: [] }));
  if (!rows[0]) return null;
  const bin = `/usr/lib/postgresql/${rows[0].major}/bin/pg_waldump`;
  const walDir = join(rows[0].dir, 'pg_wal');
  try {
    accessSync(bin, constants.X_OK);
    accessSync(walDir, constants.R_OK);
  } catch {
    return null;
  }
  return async (start, end) => {
    if (start === end) return 0;
    const { stdout } = await promisify(execFile)(bin, ['-p', walDir, `--start=${start}`, `--end=${end}`, '--stats'], { maxBuffer: 16 * 2 ** 20 });
    const total = /^Total\s+(\d+)/m.exec(stdout);
    if (!total) throw new Error(`pg_waldump printed no total: ${stdout.slice(-300)}`);
    return Number(total[1]);
  };
}

/**
 * A probe on the database at `url`. `snapshot()` records the CPU time of every server process connected
 * to that database and the cluster's WAL position and record count; `since(before)` gives the difference.
 * The benchmark's own connections (application_name PROBE_APPLICATION) are left out. Processes that
 * connect after the snapshot count from zero; those that leave before the second snapshot
 * are lost, so take it while the work's connections are still open. WAL is cluster-wide: on a quiet server
 * it is this work's, on a shared one an upper bound. WAL positions are the written ones (pg_current_wal_lsn),
 * which pg_waldump can read.
 */
export async function serverCostProbe(url) {
  const client = new pg.Client({ connectionString: url, application_name: PROBE_APPLICATION });
  await client.connect();
  const database = (await client.query(`${PROBE_MARK} SELECT current_database() AS d`)).rows[0].d;
  const ownPid = (await client.query(`${PROBE_MARK} SELECT pg_backend_pid() AS p`)).rows[0].p;
  const local = onCpuNs(ownPid) !== null;
  const dump = await walDumper(client);

  async function snapshot() {
    const { rows } = await client.query(
      `${PROBE_MARK} SELECT array_agg(pid) FILTER (WHERE application_name IS DISTINCT FROM $2) AS pids, pg_current_wal_lsn()::text AS lsn,
              (SELECT wal_records FROM pg_stat_wal)::bigint AS records
       FROM pg_stat_activity WHERE datname = $1`,
      [database, PROBE_APPLICATION],
    );
    const cpu = new Map();
    if (local) for (const pid of rows[0].pids ?? []) cpu.set(pid, onCpuNs(pid) ?? 0);
    return { cpu, lsn: rows[0].lsn, records: Number(rows[0].records) };
  }

  return {
    local,
    snapshot,
    /** CPU ms of the database's server processes, WAL bytes and WAL records since `before`. */
    async since(before) {
      const now = await snapshot();
      let ns = 0;
      for (const [pid, after] of now.cpu) ns += after - (before.cpu.get(pid) ?? 0);
      const { rows } = await client.query(`${PROBE_MARK} SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes`, [now.lsn, before.lsn]);
      // A checkpoint in between may have recycled the first WAL file: then pg_stat_wal has to do.
      let records = dump ? await dump(before.lsn, now.lsn).catch(() => null) : null;
      const exact = records !== null;
      if (records === null) {
        // Backends add to the WAL record count when they go idle, at most once a second.
        await new Promise((r) => setTimeout(r, 1_100));
        records = (await snapshot()).records - before.records;
      }
      return { cpuMs: local ? ns / 1e6 : null, walBytes: Number(rows[0].bytes), walRecords: records, walRecordsExact: exact };
    },
    close: () => client.end(),
  };
}
