// Taking work: one statement that recovers expired leases and claims runnable jobs (sql/claim.ts), and the
// same joined with the completion of the job a slot just finished (sql/complete-and-claim.ts).

export { claimJobs, type ClaimRequest } from './sql/claim.js';
export { completeAndClaim } from './sql/complete-and-claim.js';
