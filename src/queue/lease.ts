// Everything a worker writes for a job it holds, each one statement under sql/. Every write is fenced on
// (id, leaseToken) (sql/fragments.ts holdsLease): the token is fresh per claim and cleared by every
// transition out of `running` (operator pause/cancel, lease recovery), so a worker that lost its lease
// matches no row and changes nothing. Callers treat "no row" as lease lost. Each state change carries its
// JobEvent in the same statement (one round trip, one implicit transaction).

export type { Checkpoint as CheckpointWrite, JobProgress, Lease } from './jobs.js';
export { renewLeases } from './sql/renew-leases.js';
export { holdsLease } from './sql/holds-lease.js';
export { lockLease } from './sql/lock-lease.js';
export { writeCheckpoint } from './sql/write-checkpoint.js';
export { writeProgress } from './sql/write-progress.js';
export { addUsage } from './sql/add-usage.js';
export { writeEvent } from './sql/write-event.js';
export { completeJob } from './sql/complete.js';
export { lockReplacedFile, supersedeOtherPlays } from './sql/supersede.js';
export { markCommitting } from './sql/committing.js';
export { stopCommitting } from './sql/stop-committing.js';
export { failAttempt, type FailOutcome } from './sql/fail-attempt.js';
export { releaseJob } from './sql/release.js';
