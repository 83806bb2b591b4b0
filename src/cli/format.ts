import { formatDuration } from '../config/duration.js';
import type { JobSummary } from '../queue/jobs.js';

// Small text helpers shared by the commands that print tables.

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function age(from: Date, now = new Date()): string {
  return formatDuration(Math.max(0, now.getTime() - from.getTime()));
}

export function truncate(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : flat.slice(0, max - 1) + '…';
}

export function percent(value: number): string {
  return `${Math.round(value)}%`;
}

/**
 * The stage a job is in, or stopped in (failed, paused, waiting to retry, cancelled), followed by a space;
 * nothing for a job that has not started or has completed.
 */
export function stageOf(j: Pick<JobSummary, 'status' | 'stage'>): string {
  return j.stage && j.status !== 'queued' && j.status !== 'completed' ? `${j.stage} ` : '';
}

/** Chunk n/m of a job cut into several (an LLM parser's); a one-chunk job's count says nothing. */
export function chunksOf(j: Pick<JobSummary, 'completedChunks' | 'totalChunks'>): string | null {
  return j.totalChunks && j.totalChunks > 1 ? `${j.completedChunks}/${j.totalChunks}` : null;
}

export async function table(head: string[], rows: Array<Array<string | number>>): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const t = new Table({ head, style: { head: process.stdout.isTTY ? ['cyan'] : [], border: process.stdout.isTTY ? ['grey'] : [] } });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}
