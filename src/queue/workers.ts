// Worker registration, so `status` can show who is alive (see liveWorkers in reads.ts).

export { registerWorker, type WorkerIdentity } from './sql/register-worker.js';
export { markWorkerStopped } from './sql/mark-worker-stopped.js';
