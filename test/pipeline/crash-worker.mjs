// A worker process over the compiled code, running the parse job handler with the slow paragraph parser,
// for the test that kills it with SIGKILL in the middle of a job. Usage: node crash-worker.mjs <leaseMs>
import { pino } from 'pino';
import { paragraphParser } from './paragraph-parser.mjs';

const dist = (path) => import(new URL(`../../dist/${path}`, import.meta.url).href);
const { openWorkerConnections } = await dist('worker/connections.js');
const { startWorker } = await dist('worker/worker.js');
const { createParseJobHandler } = await dist('jobs/parse-play/handler.js');

const url = process.env.DATABASE_URL;
const log = pino({ level: 'silent' });
const connections = openWorkerConnections(url, { concurrency: 1 });
const parser = paragraphParser(60);
const handler = createParseJobHandler({ log, loadParser: async () => parser });
const worker = await startWorker({
  ...connections,
  listenUrl: url,
  handlers: { PARSE_PLAY: handler },
  log,
  concurrency: 1,
  leaseMs: Number(process.argv[2] ?? 2000),
  pollMs: 200,
  backoff: { baseMs: 100, capMs: 300 },
});
process.stdout.write(`started ${worker.id}\n`);
process.on('SIGTERM', async () => {
  await worker.stop({ graceMs: 0 });
  await connections.close();
  process.exit(0);
});
