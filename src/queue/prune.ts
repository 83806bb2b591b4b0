import type { Queryable } from '../db/queryable.js';
import { countPrunable, pruneBatch, pruneStoppedWorkers, type Pruned } from './sql/prune.js';

// Deleting old history in batches, each its own statement and commit: a long prune never holds locks on
// many rows at once, and an interrupted one keeps what it did.

export const PRUNABLE_STATUSES = ['completed', 'cancelled', 'failed'] as const;

export interface PruneOptions {
  statuses: readonly string[];
  olderThanMs: number;
  batchSize: number;
  dryRun?: boolean;
  onBatch?: (done: Pruned) => void;
}

export async function pruneHistory(db: Queryable, o: PruneOptions): Promise<Pruned & { workers: number }> {
  if (o.dryRun) return { ...(await countPrunable(db, [...o.statuses], o.olderThanMs)), workers: 0 };
  const done: Pruned = { jobs: 0, events: 0 };
  for (;;) {
    const batch = await pruneBatch(db, [...o.statuses], o.olderThanMs, o.batchSize);
    done.jobs += batch.jobs;
    done.events += batch.events;
    o.onBatch?.(done);
    if (batch.jobs < o.batchSize) break;
  }
  return { ...done, workers: await pruneStoppedWorkers(db, o.olderThanMs) };
}

export { countPrunable };
