import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Chunk } from '../parser.js';

// What a job's `currentState` holds between chunks. Every chunk's result is kept (assemble needs all of
// them, in chunk order), and each group's state after its last finished chunk, so a restarted job runs
// exactly the chunks that never finished. The plan's fingerprint ties the state to the chunks it was made
// for: a changed chunk size or parser cuts the text differently and the old results no longer fit.

export const STATE_FORMAT = 'playbuddy/parse-state';
export const STATE_VERSION = 1;

export interface GroupProgress {
  /** Chunks of this group finished, counted from the group's first chunk. */
  done: number;
  /** The parser's group state after the last finished chunk. */
  state: unknown;
}

export interface PipelineState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  parser: string;
  plan: string;
  totalChunks: number;
  /** Chunk index → that chunk's result. */
  results: Record<string, unknown>;
  groups: Record<string, GroupProgress>;
}

const stateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.number().int(),
  parser: z.string(),
  plan: z.string(),
  totalChunks: z.number().int().min(0),
  results: z.record(z.string().regex(/^\d+$/), z.unknown()),
  groups: z.record(z.string(), z.object({ done: z.number().int().min(0), state: z.unknown() })),
});

export function planFingerprint(parser: string, chunks: Chunk[]): string {
  const hash = createHash('sha256').update(parser);
  for (const c of chunks) hash.update(`\u0000${c.index}\u0001${c.group}\u0001${c.start}\u0001${c.end}`);
  return hash.digest('hex').slice(0, 24);
}

export function emptyState(parser: string, plan: string, totalChunks: number): PipelineState {
  return { format: STATE_FORMAT, version: STATE_VERSION, parser, plan, totalChunks, results: {}, groups: {} };
}

export type ResumeOutcome =
  | { kind: 'fresh' }
  | { kind: 'resume'; state: PipelineState; completedChunks: number }
  | { kind: 'restart'; reason: string };

/**
 * Decides how a job continues from what it saved. Anything that is not a state of this format for this
 * very plan is discarded with a reason: resuming from a state that does not fit would store a wrong play.
 */
export function readSavedState(saved: unknown, parser: string, plan: string, chunks: Chunk[]): ResumeOutcome {
  if (saved === null || saved === undefined) return { kind: 'fresh' };
  let value = saved;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { kind: 'restart', reason: 'the saved state is not valid JSON' };
    }
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== STATE_FORMAT) {
    return { kind: 'restart', reason: 'the saved state is not in the parse pipeline format (a legacy parsing session context, or damaged)' };
  }
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) return { kind: 'restart', reason: 'the saved state is damaged (it does not match its format)' };
  const state = parsed.data;
  if (state.version !== STATE_VERSION) {
    return { kind: 'restart', reason: `the saved state has format version ${state.version}; this version of playbuddy reads version ${STATE_VERSION}` };
  }
  if (state.parser !== parser) return { kind: 'restart', reason: `the saved state comes from the ${state.parser} parser, and the job now uses the ${parser} parser` };
  if (state.plan !== plan || state.totalChunks !== chunks.length) {
    return { kind: 'restart', reason: 'the text is cut into different chunks than when the state was saved (another chunk size or parser version)' };
  }
  const inconsistency = checkConsistency(state as PipelineState, chunks);
  if (inconsistency) return { kind: 'restart', reason: `the saved state is inconsistent: ${inconsistency}` };
  return { kind: 'resume', state: state as PipelineState, completedChunks: Object.keys(state.results).length };
}

/** Each group must have results for exactly its first `done` chunks. */
function checkConsistency(state: PipelineState, chunks: Chunk[]): string | null {
  const byGroup = groupChunks(chunks);
  const expected = new Set<string>();
  for (const [group, progress] of Object.entries(state.groups)) {
    const members = byGroup.get(group);
    if (!members) return `it names a group the plan does not have (${group})`;
    if (progress.done > members.length) return `group ${group} claims more chunks than it has`;
    for (const c of members.slice(0, progress.done)) expected.add(String(c.index));
  }
  const actual = Object.keys(state.results);
  if (actual.length !== expected.size || actual.some((k) => !expected.has(k))) return 'its results do not match its groups';
  return null;
}

/** Chunks by group, groups in the order of their first chunk. */
export function groupChunks(chunks: Chunk[]): Map<string, Chunk[]> {
  const groups = new Map<string, Chunk[]>();
  for (const c of chunks) {
    const members = groups.get(c.group);
    if (members) members.push(c);
    else groups.set(c.group, [c]);
  }
  return groups;
}
