import type pg from 'pg';
import { formatDuration } from '../config/duration.js';
import { JOB_STATUSES } from '../queue/states.js';
import type { JobSummary } from '../queue/jobs.js';
import type { LiveWorker } from '../queue/reads.js';
import { age, chunksOf, shortId, stageOf, truncate } from './format.js';
import { bar } from './progress.js';

// `status --watch`: the queue as a live view. On a terminal it takes the alternate screen and redraws in
// place — cursor home, each line overwritten and cleared to its end, the rest of the screen cleared — so
// nothing flickers; Ctrl-C (or SIGTERM) gives the screen and the cursor back. Elsewhere (a pipe, a log
// file) it prints one timestamped frame per interval, plain text, nothing to undo.

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

interface Snapshot {
  counts: Record<string, number>;
  running: JobSummary[];
  failures: JobSummary[];
  workers: LiveWorker[];
  completedLastMinute: number;
}

async function snapshot(db: pg.Pool): Promise<Snapshot> {
  const repo = await import('../queue/reads.js');
  const [counts, running, failures, workers, window] = await Promise.all([
    repo.countByStatus(db),
    repo.listJobs(db, { statuses: ['running'], limit: 15 }),
    repo.listJobs(db, { statuses: ['failed'], limit: 5 }),
    repo.liveWorkers(db),
    repo.windowMetrics(db, 60_000),
  ]);
  return { counts, running, failures, workers, completedLastMinute: window.completedLastMinute };
}

export function renderWatch(s: Snapshot, intervalMs: number, now = new Date(), width = 120): string[] {
  const lines: string[] = [];
  lines.push(`playbuddy status — ${now.toISOString().slice(11, 19)} UTC, every ${formatDuration(intervalMs)} (Ctrl-C quits)`);
  lines.push('');
  lines.push(JOB_STATUSES.map((st) => `${st} ${s.counts[st] ?? 0}`).join(' · ') + ` · ${s.completedLastMinute} completed in the last minute`);
  lines.push('');
  lines.push(s.running.length ? `running (${s.counts.running ?? s.running.length}):` : 'running: none');
  for (const j of s.running) {
    const elapsed = j.startedAt ? now.getTime() - j.startedAt.getTime() : 0;
    const n = chunksOf(j);
    // The bar carries the percentage; the stage and chunk say what it is made of.
    const chunks = ` ${stageOf(j)}${n ? `chunk ${n}` : ''}`.trimEnd();
    const eta = j.progress > 0 && j.progress < 100 ? `, ETA ${formatDuration(Math.round((elapsed * (100 - j.progress)) / j.progress))}` : '';
    lines.push(`  ${shortId(j.id)}  ${truncate(j.filename, 28).padEnd(28)}  ${bar(j.progress, 100, 16)}${chunks}  ${formatDuration(elapsed)}${eta}`);
  }
  lines.push('');
  lines.push(s.workers.length ? `live workers (${s.workers.length}):` : 'live workers: none (start one with `playbuddy work`)');
  for (const w of s.workers) {
    const holds = s.running.filter((j) => j.workerId === w.id).map((j) => shortId(j.id));
    lines.push(`  ${w.host}:${w.pid}  heartbeat ${age(w.lastHeartbeat, now)} ago  holds ${w.running}/${w.concurrency}${holds.length ? `: ${holds.join(', ')}` : ''}`);
  }
  lines.push('');
  lines.push(s.failures.length ? 'recent failures:' : 'recent failures: none');
  for (const j of s.failures) lines.push(`  ${shortId(j.id)}  ${truncate(j.filename, 28).padEnd(28)}  ${truncate(j.failureReason ?? j.lastError, Math.max(20, width - 45))}`);
  return lines.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
}

/** Runs the view until Ctrl-C / SIGTERM; the terminal is restored on every way out. */
export async function watch(db: pg.Pool, intervalMs: number): Promise<void> {
  const out = process.stdout;
  const live = Boolean(out.isTTY);
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  const restore = () => {
    if (live) out.write(LEAVE);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('exit', restore);
  if (live) out.write(ENTER);
  try {
    while (!stopped) {
      const frame = renderWatch(await snapshot(db), intervalMs, new Date(), live ? out.columns || 120 : 120);
      if (live) {
        const rows = out.rows || 40;
        out.write(HOME + frame.slice(0, rows - 1).map((l) => l + CLEAR_LINE).join('\n') + CLEAR_BELOW);
      } else {
        out.write(frame.join('\n') + '\n\n');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  } finally {
    restore();
    process.off('exit', restore);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
