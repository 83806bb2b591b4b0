// Stands in for `playbuddy work --concurrency <n> --drain` while the CLI has no `work` command: the same
// worker library and parse-job handler in a process of their own, logging JSON to stderr.
import { fromDist } from './dist.mjs';

const concurrency = Number(process.argv[2] ?? 2);
const url = process.env.DATABASE_URL;
const { createLogger } = await fromDist('log/logger.js');
const { openWorkerConnections } = await fromDist('worker/connections.js');
const { startWorker } = await fromDist('worker/worker.js');
const { createParseJobHandler } = await fromDist('jobs/parse-play/handler.js');

const log = await createLogger({ format: 'json', level: 'info' });
const connections = openWorkerConnections(url, { concurrency });
const worker = await startWorker({
  pool: connections.pool,
  listenUrl: url,
  log,
  concurrency,
  drain: true,
  handlers: { PARSE_PLAY: createParseJobHandler({ log }) },
});
const summary = await worker.stopped;
await connections.close();
process.exitCode = summary.failed > 0 ? 1 : 0;
