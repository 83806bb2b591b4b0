// Taking work: one statement that claims runnable jobs (sql/claim.ts), the same joined with the completion
// of the job a slot just finished (sql/complete-and-claim.ts), and handing back the jobs of workers whose
// leases expired (sql/recover-expired.ts).

export { claimJobs, type ClaimRequest } from './sql/claim.js';
export { completeAndClaim } from './sql/complete-and-claim.js';
export { recoverExpiredLeases } from './sql/recover-expired.js';
