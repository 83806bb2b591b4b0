import type { ParsedPlay } from './play.js';

// The contract between the parse pipeline (src/parse/pipeline/) and the parsers that plug into it
// (rules, llm, hybrid). The pipeline owns chunking order, concurrency, checkpoints and storage; a parser
// owns how a chunk of text becomes structured lines.
//
// Chunks are grouped: chunks of one group (typically one scene) are parsed strictly in order, each
// seeing the context the previous one left; different groups only share the cast and may be parsed
// concurrently (an LLM parser's scenes). Everything a parser returns must be JSON-serialisable, because
// it is checkpointed into the job's `currentState` and a restarted job resumes from it.

/**
 * The parser kinds, by the name a job's config and `--parser` give. Everything that depends on the kind
 * derives from here: the `--parser` choices, whether enqueueing needs an LLM configuration, and (through
 * src/parse/pipeline/registry.ts, which must have a loader for each) the parser the pipeline runs.
 */
export const PARSER_KINDS = {
  /** Reads the play by its conventions; no model calls. */
  rules: { callsModel: false },
  /** A model reads every chunk. */
  llm: { callsModel: true },
  /** The rules parser, with a model asked about the passages it is unsure of. */
  hybrid: { callsModel: true },
} as const satisfies Record<string, { callsModel: boolean }>;

export type ParserName = keyof typeof PARSER_KINDS;

export const PARSER_NAMES = Object.keys(PARSER_KINDS) as ParserName[];

/** Whether jobs of this parser need a provider, a model and its key. */
export function needsLlmConfig(parser: ParserName): boolean {
  return PARSER_KINDS[parser].callsModel;
}

/** What a job asks of its parser; stored in `ParseJob.config` (never secrets). */
export interface ParseConfig {
  parser: ParserName;
  /** Target chunk size in characters; chunks are cut at natural boundaries, never inside a speech. */
  chunkSize: number;
  provider?: 'anthropic' | 'openai' | 'openai-compatible';
  model?: string;
  baseUrl?: string;
  /** Groups parsed at once by an LLM parser. */
  llmConcurrency?: number;
  /** Stop the job before its estimated LLM cost exceeds this (USD). */
  maxCostUsd?: number;
}

export interface Chunk {
  /** Position in the text's chunk order, from 0. */
  index: number;
  /** Chunks of one group run in order; distinct groups may run concurrently. */
  group: string;
  /** Character offsets into the job's raw text: text.slice(start, end). */
  start: number;
  end: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface ChunkRunContext {
  /** Aborted when the job is paused, cancelled, loses its lease or the worker shuts down. */
  signal: AbortSignal;
  /** Called for every paid model call, so the job's cost is known even if the chunk then fails. */
  reportUsage(usage: TokenUsage): void;
  /** Called when a model request failed for a passing reason and is about to be sent again. */
  reportRetry?(retry: { tryNumber: number; waitMs: number; reason: string }): void;
}

export interface ChunkOutcome<Result, GroupState> {
  /** What this chunk contributed; kept in the checkpoint and handed to `assemble` in chunk order. */
  result: Result;
  /** The context the next chunk of the same group starts from. */
  groupState: GroupState;
}

export interface PlayParser<Result = unknown, GroupState = unknown> {
  readonly name: ParserName;
  /** Cuts the text into chunks covering it entirely, in order. Deterministic for a given text and config. */
  plan(text: string, config: ParseConfig): Chunk[];
  /** The context the first chunk of a group starts from. */
  initialGroupState(text: string, config: ParseConfig, group: string): GroupState;
  parseChunk(
    text: string,
    chunk: Chunk,
    groupState: GroupState,
    config: ParseConfig,
    run: ChunkRunContext,
  ): Promise<ChunkOutcome<Result, GroupState>>;
  /**
   * The share (0–1) of the parsing work `assemble` does, the rest being the chunks'; 0 when absent. It weighs
   * the two in the progress a job reports.
   */
  readonly assembleShare?: number;
  /** Builds the whole play from every chunk's result, in chunk order (reconciling the cast across groups). */
  assemble(text: string, results: Result[], config: ParseConfig, meta: AssembleContext): ParsedPlay | Promise<ParsedPlay>;
}

export interface AssembleContext {
  filename: string;
  /** How far a long assembly is, 0–1; called often, so whoever listens throttles. */
  progress?(done: number): void;
  /** Aborted when the job is paused or cancelled, its lease is lost, or the worker is shutting down. */
  signal?: AbortSignal;
}
