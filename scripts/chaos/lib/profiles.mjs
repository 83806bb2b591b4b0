// How big a run is. `ci` is fixed (seed included) and fits in three minutes on a 2-core machine with
// everything else that runs there; `long` is for a person with tens of minutes: thousands of jobs, hundreds of
// faults. Any number can be overridden from the command line (see run.mjs --help).

export const PROFILES = {
  ci: {
    seed: 19,
    workers: 3,
    concurrency: 2,
    jobs: 60,
    llmShare: 0.25,
    chaosSeconds: 75,
    // Faults per minute of the chaos phase, by kind.
    faultsPerMinute: { kill: 4, freeze: 3, drop: 3, blackhole: 2, partition: 1, refuse: 2, terminate: 5, 'drop-all': 1, 'refuse-all': 0.5 },
    racesPerMinute: 16,
    llmFaults: { 429: 0.04, 500: 0.04, hang: 0.01, garbage: 0.03, cut: 0.03 },
    drainSeconds: 75,
  },
  long: {
    seed: undefined,
    workers: 4,
    concurrency: 2,
    jobs: 2000,
    llmShare: 0.15,
    chaosSeconds: 1500,
    faultsPerMinute: { kill: 3, freeze: 2, drop: 2, blackhole: 1.5, partition: 0.7, refuse: 1.5, terminate: 4, 'drop-all': 0.5, 'refuse-all': 0.3 },
    racesPerMinute: 12,
    llmFaults: { 429: 0.04, 500: 0.04, hang: 0.01, garbage: 0.03, cut: 0.03 },
    drainSeconds: 300,
  },
};

/** Settings every run shares: short leases, so that recovery happens many times within a run. */
export const WORKER_SETTINGS = {
  leaseMs: 3000,
  pollMs: 500,
  retryDelayMs: 250,
  graceMs: 1000,
  maxRetries: 6,
  llmChunkSize: 6000,
  llmTimeoutSeconds: 4,
};
