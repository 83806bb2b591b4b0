import type { Chunk, ChunkRunContext, ParseConfig, PlayParser, TokenUsage } from '../parser.js';
import { emptyState, groupChunks, planFingerprint, readSavedState, type GroupProgress, type PipelineState } from './state.js';
import { finishPlay, type FinishedPlay } from './validate.js';

// One pipeline for every parser: plan the chunks, resume from the saved state, parse the groups with
// bounded concurrency (chunks of a group in order), save a checkpoint after every chunk, then assemble
// and validate. It knows nothing of the database: the job handler supplies the hooks, and `parse`
// runs it without any.

export interface PipelineInput {
  text: string;
  filename: string;
  config: ParseConfig;
  parser: PlayParser;
  /** The job's `currentState` (null or absent: start from the first chunk). */
  savedState?: unknown;
  /** What earlier runs of the job already spent on model calls, so a cost limit covers the whole job. */
  spentCostUsd?: number;
}

/** The run context parsers get: the contract's, plus the job's spending so far for cost limits. */
export interface PipelineRunContext extends ChunkRunContext {
  spentCostUsd(): number;
}

/** Progress worth saving: where a later run can go on from. */
export interface PipelineCheckpoint {
  /** The serialised pipeline state to resume from. */
  state: unknown;
  completedChunks: number;
  totalChunks: number;
  /** How far the parsing is, 0–100: the chunks' share of it (all of it, unless the parser assembles). */
  progress: number;
  /** A short record of what this checkpoint covers. */
  entry: Record<string, unknown>;
}

export interface PipelineHooks {
  signal?: AbortSignal;
  checkpoint?(cp: PipelineCheckpoint): Promise<void>;
  usage?(usage: TokenUsage): Promise<void>;
  /** The run goes on from a saved state. */
  resumed?(details: { completedChunks: number; totalChunks: number }): Promise<void>;
  /** A saved state could not be used; the run starts from the first chunk. */
  restarted?(details: { reason: string; fromChunk: number; totalChunks: number }): Promise<void>;
  /**
   * How far the parsing is (0–1) while the parser assembles the play, for a parser that does its work there
   * (the rules parser); chunk parsers report through their checkpoints. Called often: throttle.
   */
  parsing?(done: number): void;
  /** A parser's model request failed for a passing reason and was sent again. */
  requestRetried?(details: { chunk: number; tryNumber: number; waitMs: number; reason: string }): Promise<void>;
}

export interface PipelineOutcome extends FinishedPlay {
  totalChunks: number;
  /** Chunks parsed by this run (the rest came from the saved state). */
  parsedChunks: number;
}

export async function runPipeline(input: PipelineInput, hooks: PipelineHooks = {}): Promise<PipelineOutcome> {
  const { text, config, parser } = input;
  hooks.signal?.throwIfAborted();
  const chunks = parser.plan(text, config);
  checkPlan(chunks, text.length, parser.name);
  const plan = planFingerprint(parser.name, chunks);

  let state = emptyState(parser.name, plan, chunks.length);
  const saved = readSavedState(input.savedState, parser.name, plan, chunks);
  if (saved.kind === 'restart') {
    await hooks.restarted?.({ reason: saved.reason, fromChunk: 0, totalChunks: chunks.length });
  } else if (saved.kind === 'resume') {
    state = saved.state;
    if (saved.completedChunks > 0) await hooks.resumed?.({ completedChunks: saved.completedChunks, totalChunks: chunks.length });
  }

  // What the parser's own assembly weighs in the progress, against the chunks.
  const share = Math.min(1, Math.max(0, parser.assembleShare ?? 0));
  const inChunks = 1 - share;
  const writes = serialWrites();
  const internal = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, internal.signal]) : internal.signal;
  let completed = Object.keys(state.results).length;
  let parsedChunks = 0;
  let spentCostUsd = input.spentCostUsd ?? 0;

  const runGroup = async (group: string, members: Chunk[]) => {
    let progress: GroupProgress = state.groups[group] ?? { done: 0, state: parser.initialGroupState(text, config, group) };
    for (const chunk of members.slice(progress.done)) {
      signal.throwIfAborted();
      const started = performance.now();
      const spent: TokenUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
      const reportUsage = (usage: TokenUsage) => {
        spent.inputTokens += usage.inputTokens;
        spent.outputTokens += usage.outputTokens;
        spent.costUsd += usage.costUsd;
        spentCostUsd += usage.costUsd;
        if (hooks.usage) void writes.push(() => hooks.usage!(usage)).catch(() => {});
      };
      // Recorded as job events, so `status <job>` shows a flaky provider even when every call got through.
      const reportRetry = (retry: { tryNumber: number; waitMs: number; reason: string }) => {
        if (hooks.requestRetried) void writes.push(() => hooks.requestRetried!({ chunk: chunk.index, ...retry })).catch(() => {});
      };
      const run: PipelineRunContext = { signal, reportUsage, reportRetry, spentCostUsd: () => spentCostUsd };
      // A chunk that finished is saved even if the job was stopped meanwhile: its work (and its model calls)
      // is paid for, and a checkpoint the lease no longer allows is refused by the context anyway.
      const outcome = await parser.parseChunk(text, chunk, progress.state, config, run);
      progress = { done: progress.done + 1, state: outcome.groupState ?? null };
      // A new object per chunk, never mutated afterwards: a checkpoint waiting its turn writes the state as
      // it was when its chunk finished, even while other groups keep going.
      state = { ...state, results: { ...state.results, [chunk.index]: outcome.result ?? null }, groups: { ...state.groups, [group]: progress } };
      completed += 1;
      parsedChunks += 1;
      if (hooks.checkpoint) {
        const cp = checkpointOf(state, completed, chunk, spent, performance.now() - started, inChunks);
        await writes.push(() => hooks.checkpoint!(cp));
      }
    }
  };

  const pending = [...groupChunks(chunks)].filter(([group, members]) => (state.groups[group]?.done ?? 0) < members.length);
  await runBounded(pending, Math.max(1, config.llmConcurrency ?? 1), ([group, members]) => runGroup(group, members), internal);
  await writes.flush();

  const results = chunks.map((c) => state.results[String(c.index)]);
  const assembled = await parser.assemble(text, results, config, {
    filename: input.filename,
    signal,
    progress: hooks.parsing && share > 0 ? (done) => hooks.parsing!(inChunks + share * done) : undefined,
  });
  return { ...finishPlay(assembled, input.filename), totalChunks: chunks.length, parsedChunks };
}

function checkpointOf(state: PipelineState, completed: number, chunk: Chunk, spent: TokenUsage, ms: number, chunksShare: number): PipelineCheckpoint {
  const entry: Record<string, unknown> = {
    chunk: chunk.index,
    group: chunk.group,
    completedChunks: completed,
    ms: Math.round(ms),
    at: new Date().toISOString(),
  };
  if (spent.inputTokens || spent.outputTokens) Object.assign(entry, spent);
  return {
    state,
    completedChunks: completed,
    totalChunks: state.totalChunks,
    progress: state.totalChunks === 0 ? 100 * chunksShare : Math.round((completed / state.totalChunks) * chunksShare * 1000) / 10,
    entry,
  };
}

/** A parser whose plan leaves gaps or overlaps would silently drop or repeat text: refuse it loudly. */
function checkPlan(chunks: Chunk[], length: number, parser: string): void {
  let at = 0;
  chunks.forEach((c, i) => {
    if (c.index !== i || c.start !== at || c.end < c.start) {
      throw new Error(`the ${parser} parser planned chunk ${i} at ${c.start}–${c.end}; expected index ${i} starting at ${at}`);
    }
    at = c.end;
  });
  if (chunks.length > 0 && at !== length) throw new Error(`the ${parser} parser's chunks end at ${at}, not at the end of the text (${length})`);
}

/**
 * Runs `fn` over `items` with at most `limit` at once. The first failure aborts the rest (through
 * `controller`) and is the one thrown, once everything has stopped.
 */
async function runBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>, controller: AbortController): Promise<void> {
  const queue = [...items];
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (queue.length > 0 && !failure) {
      try {
        await fn(queue.shift()!);
      } catch (error) {
        if (!failure) {
          failure = { error };
          controller.abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * Checkpoints and usage reports are written one at a time, in the order they were made, so the job's
 * `currentState` only ever moves forward. Once a write fails (a lost lease), every later one fails too.
 */
function serialWrites() {
  let tail: Promise<void> = Promise.resolve();
  return {
    push(write: () => Promise<void>): Promise<void> {
      tail = tail.then(write);
      tail.catch(() => {});
      return tail;
    },
    flush: () => tail,
  };
}
