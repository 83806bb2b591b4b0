import { distHas } from './dist.mjs';

// The queues bench:queue compares, behind one shape: open(url) → { enqueueMany, enqueueOne, pending, close }
// and startWorker(url, { concurrency, onStart }) → { stop }.

export async function loadSystem(name) {
  if (name === 'graphile-worker') {
    const { openGraphile, startGraphileWorker } = await import('./graphile.mjs');
    return { name, open: openGraphile, startWorker: startGraphileWorker };
  }
  if (name === 'playbuddy') {
    const { openPlaybuddy, startPlaybuddyWorker } = await import('./playbuddy-queue.mjs');
    return { name, open: openPlaybuddy, startWorker: startPlaybuddyWorker };
  }
  throw new Error(`unknown queue system ${name}`);
}

/** Whether the compiled worker exists yet (the benchmark measures graphile-worker alone until it does). */
export function playbuddyWorkerBuilt() {
  return distHas('worker/index.js') || distHas('worker/worker.js');
}
