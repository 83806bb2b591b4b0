import type { ClaimedJob, Lease } from '../queue/jobs.js';

// Group commit for the jobs of one worker process that finish with nothing to store: a completion goes out
// at once while fewer than `inFlight` completion statements are on their way; otherwise it waits for one of
// them and then goes out with every other one that arrived meanwhile, in one statement and one commit.
// Nothing waits on a timer: an idle worker sends each completion at once, so batching costs no latency.
// Two statements in flight, not one: with a single one, the two slots of a concurrency-2 worker took
// turns (each waited for the other's round trip, halving a drain of short jobs); under more load the
// slots still share round trips, planning and WAL flushes. Each caller learns its own outcome only after
// the shared statement committed.

export interface Completion {
  /** The job's completion committed (false: its lease was lost before). */
  completed: boolean;
  /** Jobs claimed for this slot to run next (at most the refill it asked for). */
  jobs: ClaimedJob[];
}

type Send = (leases: Lease[], limit: number) => Promise<{ completed: Set<string>; jobs: ClaimedJob[] }>;

interface Waiting {
  lease: Lease;
  refill: number;
  resolve(c: Completion): void;
  reject(err: unknown): void;
}

export function groupCompletions(send: Send, { inFlight = 2 }: { inFlight?: number } = {}): (lease: Lease, refill: number) => Promise<Completion> {
  let waiting: Waiting[] = [];
  let sending = 0;

  async function sendBatch(batch: Waiting[]): Promise<void> {
    try {
      const out = await send(
        batch.map((w) => w.lease),
        batch.reduce((n, w) => n + w.refill, 0),
      );
      // Claimed jobs go to the slots in the order they asked, each up to its refill.
      let next = 0;
      for (const w of batch) {
        const jobs = out.jobs.slice(next, next + w.refill);
        next += jobs.length;
        w.resolve({ completed: out.completed.has(w.lease.jobId), jobs });
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  async function drain(): Promise<void> {
    sending++;
    try {
      while (waiting.length > 0) {
        const batch = waiting;
        waiting = [];
        await sendBatch(batch);
      }
    } finally {
      sending--;
    }
  }

  return (lease, refill) =>
    new Promise<Completion>((resolve, reject) => {
      waiting.push({ lease, refill, resolve, reject });
      if (sending < inFlight) void drain();
    });
}
