// Worker defaults, in a module of their own so `playbuddy work --help` can show them without loading the
// worker.

export const DEFAULT_CONCURRENCY = 1;
/**
 * Two minutes: heartbeats renew the lease every 10 s whatever the job is doing (a slow LLM call included),
 * so the lease only has to outlast a stall of the worker or the database; twelve missed renewals in a row
 * before another worker may take the job, while a crashed worker's jobs are back in under three minutes.
 */
export const DEFAULT_LEASE_MS = 120_000;
/** Only a safety net (missed notifications, retries whose backoff ended): NOTIFY wakes idle workers at once. */
export const DEFAULT_POLL_MS = 2_000;
/** Short enough to release cleanly before a container runtime's usual 10 s kill. */
export const DEFAULT_GRACE_MS = 5_000;
