import type { Queryable } from '../../db/queryable.js';
import type { Checkpoint, Lease } from '../jobs.js';
import { holdsLease, millis } from './fragments.js';

// A checkpoint also extends the lease: writing one is proof the job is alive. The entry is appended in SQL so
// the job's history never travels back to the worker. It carries the job's stage too, when the handler names
// one, so a job that reports through its checkpoints needs no other write to show what it is doing.
const CHECKPOINT_SQL = `
UPDATE "ParseJob" SET
  "currentState" = $3::jsonb, "completedChunks" = $4, "totalChunks" = $5, progress = $6, stage = coalesce($9, stage),
  checkpoints = checkpoints || jsonb_build_array($7::jsonb),
  "lockExpiry" = now() + ${millis('$8')}, "updatedAt" = now()
WHERE ${holdsLease('$1', '$2')}`;

export async function writeCheckpoint(db: Queryable, lease: Lease, cp: Checkpoint, leaseMs: number): Promise<boolean> {
  const r = await db.query({
    name: 'playbuddy_checkpoint',
    text: CHECKPOINT_SQL,
    values: [lease.jobId, lease.leaseToken, JSON.stringify(cp.state ?? null), cp.completedChunks, cp.totalChunks, cp.progress, JSON.stringify(cp.entry), leaseMs, cp.stage ?? null],
  });
  return r.rowCount === 1;
}
