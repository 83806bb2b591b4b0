#!/usr/bin/env node
// The quick start: queue the public-domain sample play shipped in the repository, run a worker until the
// queue is drained, and show the stored play — the same three commands a user types.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'playbuddy.js');
const sample = join('test', 'fixtures', 'plays', process.argv[2] ?? 'synge-riders-to-the-sea.txt');

// `shown` is the command as a user would type it; the demo itself may add --json to read the job id.
function playbuddy(args, capture = false, shown = args) {
  console.error(`\n$ playbuddy ${shown.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r.stdout;
}

const out = JSON.parse(playbuddy(['enqueue', sample, '--json'], true, ['enqueue', sample]));
const job = out.enqueued[0] ?? out.duplicates[0];
const jobId = job.id ?? job.existingId;
console.error(out.enqueued.length ? `enqueued   ${jobId.slice(0, 8)}  ${sample}` : `skipped    ${jobId.slice(0, 8)}  ${sample}: the same text is already ${job.existingStatus}`);
playbuddy(['work', '--drain']);
playbuddy(['show', jobId]);
