import type pg from 'pg';
import { createPool } from '../db/pool.js';

// One pool per worker process, plain pg, shared by the worker's own statements and the transactions job
// handlers store plays in. No Prisma: a worker never pays its start-up or its memory.

export interface WorkerConnections {
  pool: pg.Pool;
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
    cachedPlans: true,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onError?.(err));
  return {
    pool,
    async close() {
      await pool.end().catch(() => {});
    },
  };
}
