import type pg from 'pg';
import { createDbOnPool, type Db } from '../db/client.js';
import { createPool } from '../db/pool.js';

// One pool per worker process, shared by the worker's own statements (plain pg: a raw query through the
// Prisma client costs about twice the round trip) and by the Prisma client job handlers store plays with.

export interface WorkerConnections {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

/**
 * Connections a worker process holds at most through DATABASE_URL: one per running job (checkpoints, the
 * storing transaction), one for claims, one for heartbeats. The LISTEN connection comes on top, on the direct
 * URL. Operators size `max_connections` and the pooler from this.
 */
export function pooledConnectionBudget(concurrency: number): number {
  return concurrency + 2;
}

export function openWorkerConnections(
  connectionString: string,
  options: { concurrency: number; pooled?: boolean; onError?: (err: Error) => void },
): WorkerConnections {
  const pool = createPool(connectionString, {
    max: pooledConnectionBudget(options.concurrency),
    pooled: options.pooled,
    applicationName: 'playbuddy-worker',
    keepAlive: true,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onError?.(err));
  const db = createDbOnPool(pool);
  return {
    pool,
    db,
    async close() {
      await db.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
