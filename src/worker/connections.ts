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

export function openWorkerConnections(connectionString: string, options: { concurrency: number; onError?: (err: Error) => void }): WorkerConnections {
  const pool = createPool(connectionString, {
    // One per running job (checkpoints, the storing transaction), one for claims, one for heartbeats.
    max: options.concurrency + 2,
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
