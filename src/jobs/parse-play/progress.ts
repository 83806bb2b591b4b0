import type { JobContext, JobProgress } from '../../worker/handler.js';

// What `status` shows of a play job while it runs: its stage and the job's progress. The text was extracted
// when it was enqueued, so a job's attempt has two stages: parsing (checkpointed chunks, or the rules
// parser's slices) and storing the play's rows, in one transaction at the end.

export type PlayStage = 'parsing' | 'storing';

/** The share of the job's progress (0–100) parsing covers; storing the rows is the rest. */
export const PARSING_SHARE = 90;

// At most one progress write a second, and none in a job's first second: a short job (most of them) costs
// no write at all, and a long one is seen moving.
const PROGRESS_EVERY_MS = 1000;

export interface ProgressReporter {
  /** Parsing is `done` (0–1) through. Throttled; never throws. */
  parsing(done: number): void;
  /** A chunk checkpoint (which carries the stage and progress) was written. */
  checkpointed(): void;
  /** Waits for the write in flight, then enters `storing` (written unless the job is a short one). */
  storing(): Promise<void>;
  /** Drops what waits and lets the write in flight finish, so none lands after the attempt's outcome. */
  idle(): Promise<void>;
}

/** A chunk checkpoint's progress (0–100 of the parsing) as the job's. */
export const parsingPercent = (percent: number) => (PARSING_SHARE * percent) / 100;

/**
 * Writes a job's stage and progress through its context, one write at a time: a report that comes while a
 * write is in flight replaces any still waiting, so the newest goes next and none pile up. A write refused
 * because the lease was lost has already stopped the job (the context aborts it), so it is swallowed here.
 */
export function progressReporter(ctx: Pick<JobContext, 'progress' | 'enterStage'>): ProgressReporter {
  const startedAt = Date.now();
  let lastWrite = startedAt;
  let inFlight: Promise<void> | null = null;
  let waiting: JobProgress | null = null;

  const send = (p: JobProgress): void => {
    lastWrite = Date.now();
    inFlight = ctx
      .progress(p)
      .catch(() => {})
      .finally(() => {
        inFlight = null;
        const next = waiting;
        waiting = null;
        if (next) send(next);
      });
  };

  ctx.enterStage('parsing');
  return {
    parsing(done) {
      if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
      const p = { stage: 'parsing', progress: Math.round(PARSING_SHARE * Math.min(1, Math.max(0, done)) * 10) / 10 };
      if (inFlight) waiting = p;
      else send(p);
    },
    checkpointed() {
      lastWrite = Date.now();
    },
    async idle() {
      waiting = null;
      while (inFlight) await inFlight;
    },
    async storing() {
      await this.idle();
      ctx.enterStage('storing');
      // Before the storing transaction, which locks the job's row: no write of ours may wait behind it.
      if (Date.now() - startedAt >= PROGRESS_EVERY_MS) await ctx.progress({ stage: 'storing', progress: PARSING_SHARE });
    },
  };
}
