import type { ClaimedJob } from '../queue/jobs.js';

// Jobs claimed ahead. A slot that finishes a job waits for the database before it can start the next: the
// completion and the claim of its successor are one round trip (sql/complete-and-claim.ts). For jobs that
// take a play's seconds that wait is nothing; for jobs shorter than the round trip it is most of a slot's
// time, and each completion goes out alone. So a worker whose recent jobs were that short keeps up to one
// job per slot claimed and waiting here: a slot that finishes starts the next at once, and the completions
// of jobs that finish while another completion is on its way share its statement and commit (group commit,
// completions.ts). Jobs claimed ahead are leased like running ones (renewed by the heartbeat, fenced,
// recovered after their lease if the worker dies) and handed back to the queue when the worker stops.
//
// Only for short jobs: a job held here waits for a slot while another worker may be idle, which costs a
// long job up to a whole job's time, and a short one nothing worth counting.

/** Jobs averaging less than this (ms, handler only) are short enough to claim ahead. */
export const AHEAD_BELOW_MS = 5;

export interface WaitingJob {
  job: ClaimedJob;
  renewedAt: number;
}

/**
 * How long the worker's recent jobs took: a moving average that forgets quickly (a job's weight falls below
 * a tenth within seven jobs), so a first slow call or a lone long job does not hold it up for long.
 */
export function jobDurations(): { record(ms: number): void; readonly short: boolean } {
  let average: number | undefined;
  return {
    record(ms) {
      average = average === undefined ? ms : 0.7 * average + 0.3 * ms;
    },
    get short() {
      return average !== undefined && average < AHEAD_BELOW_MS;
    },
  };
}
