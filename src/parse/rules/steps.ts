// The rules parse runs as a generator of how far it is (0–1), so one body serves both callers: `parse` and
// the hybrid reading run it straight through, and a worker runs it in slices, giving the event loop back
// between them (its lease renewals and heartbeats go out) and reporting progress as it goes.

/** A computation that yields its progress (0–1) now and then and returns its result. */
export type Steps<T> = Generator<number, T, void>;

/** Runs the steps to the end at once. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

// How long a slice may hold the event loop: short next to a lease renewal's deadline, long next to the cost
// of a turn of the loop.
const SLICE_MS = 50;

/**
 * Runs the steps, handing every progress to `progress` and yielding to the event loop every SLICE_MS; stops
 * with the signal's reason when it is aborted.
 */
export async function runStepsInSlices<T>(steps: Steps<T>, progress?: (done: number) => void, signal?: AbortSignal): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    progress?.(r.value);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
}
