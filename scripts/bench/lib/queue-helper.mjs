// A second process for bench:queue: either a worker (`worker <system> <url> <concurrency> [<pooler url>]`) for
// the multi-process drains, or an enqueuer (`enqueuer <system> <url> <count> <seed>`) that adds jobs one at a time
// while the benchmark's own worker waits, as `enqueue` and `work` run in different terminals.
import { exitWithParent, wallNow } from './process.mjs';
import { loadSystem } from './systems.mjs';

exitWithParent();
const [role, systemName, url, a, b] = process.argv.slice(2);
const system = await loadSystem(systemName);
const nextMessage = (type) =>
  new Promise((resolve) => {
    const on = (msg) => {
      if (msg.type !== type) return;
      process.off('message', on);
      resolve(msg);
    };
    process.on('message', on);
  });

if (role === 'worker') {
  let handled = 0;
  process.send({ type: 'ready' });
  await nextMessage('go');
  // With a pooler URL, the worker's statements go through it and only playbuddy's LISTEN goes to `url`.
  const pooledUrl = b;
  const worker = await system.startWorker(pooledUrl ?? url, {
    concurrency: Number(a),
    onStart: () => void handled++,
    ...(pooledUrl ? { pooled: true, listenUrl: url } : {}),
  });
  process.send({ type: 'started' });
  await nextMessage('stop');
  await worker.stop();
  process.send({ type: 'stopped', handled });
} else if (role === 'enqueuer') {
  const count = Number(a);
  const queue = await system.open(url);
  // Gaps of 10–30 ms, the same sequence every run, so the worker is idle (not backlogged) at each enqueue.
  const { seededRandom } = await import('./stats.mjs');
  const gap = seededRandom(Number(b));
  // One untimed enqueue first: the first call of a fresh client pays for connecting and query planning.
  await queue.enqueueOne('warmup', 0);
  process.send({ type: 'ready' });
  const { tag } = await nextMessage('go');
  const calls = [];
  for (let seq = 0; seq < count; seq++) {
    const before = wallNow();
    await queue.enqueueOne(tag, seq);
    calls.push({ seq, before, after: wallNow() });
    await new Promise((r) => setTimeout(r, 10 + gap() * 20));
  }
  await queue.close();
  process.send({ type: 'done', calls });
} else {
  console.error(`unknown role ${role}`);
  process.exit(2);
}
