import { PermanentError, UserError } from '../errors.js';
import type { Chunk, ChunkRunContext, ParseConfig, PlayParser } from '../parse/parser.js';
import { assemblePlay } from './assemble.js';
import { CHUNK_SCHEMA_NAME, chunkOutputSchema } from './chunk-schema.js';
import { applyChunkOutput, startingState, type LlmChunkResult, type LlmGroupState } from './chunk-state.js';
import { limiterFor } from './limiter.js';
import { findHeadings, planChunks, planGroups } from './plan.js';
import { estimateCost, loadPriceTable, priceOf, type ModelPrice, type PriceTable } from './pricing.js';
import { SYSTEM_PROMPT, buildChunkPrompt } from './prompt.js';
import { connectLlm, targetForJob, type Env, type LlmConnection, type LlmTarget } from './providers.js';

// The `llm` parser: every chunk goes to a model. Groups (scenes) share nothing but what `assemble`
// reconciles, so the pipeline may run them concurrently; chunks of a group run in order, each prompted with
// the cast, act, scene and last lines the previous one left. The AI SDK is loaded on the first chunk, not
// when this module is imported.

export const ENV_TIMEOUT_SECONDS = 'PLAYBUDDY_LLM_TIMEOUT_SECONDS';
const DEFAULT_TIMEOUT_MS = 180_000;

// Rough sizes for the budget check and the output cap: about four characters a token for the prompt, and
// an answer that repeats the chunk's words wrapped in JSON.
const PROMPT_CHARS_PER_TOKEN = 4;
const ANSWER_TOKENS_PER_CHUNK_CHAR = 1 / 3;
const MIN_OUTPUT_TOKENS = 2_048;
const MAX_OUTPUT_TOKENS = 16_384;

/**
 * What the pipeline may add to the run context so `--max-cost` covers the whole job, including usage
 * reported by other chunks and by earlier runs of a resumed job. Without it only the next call counts.
 */
export interface CostAwareRunContext extends ChunkRunContext {
  spentCostUsd?(): number;
}

export interface LlmParserOptions {
  /** Where keys, defaults, prices and limits are read from; the worker's own environment by default. */
  env?: Env;
  /** Per request; defaults to PLAYBUDDY_LLM_TIMEOUT_SECONDS, else 180 s. */
  timeoutMs?: number;
}

export function createLlmParser(options: LlmParserOptions = {}): PlayParser<LlmChunkResult, LlmGroupState> {
  const env = options.env ?? process.env;
  const connections = new Map<string, LlmConnection>();
  let prices: PriceTable | undefined;

  const connectionFor = async (target: LlmTarget): Promise<LlmConnection> => {
    const key = `${target.provider} ${target.model} ${target.baseUrl ?? ''}`;
    let connection = connections.get(key);
    if (!connection) {
      connection = await connectLlm(env, target);
      connections.set(key, connection);
    }
    return connection;
  };

  const priceFor = (target: LlmTarget): ModelPrice | undefined => {
    prices ??= asPermanent(() => loadPriceTable(env));
    return priceOf(prices, target.provider, target.model);
  };

  return {
    name: 'llm',

    plan(text: string, config: ParseConfig): Chunk[] {
      return planChunks(text, config.chunkSize);
    },

    initialGroupState(text: string, _config: ParseConfig, group: string): LlmGroupState {
      const start = planGroups(text).find((g) => g.name === group)?.start ?? 0;
      const act = findHeadings(text).filter((h) => h.kind === 'act' && h.start < start).at(-1);
      return startingState(start === 0, act?.title ?? null);
    },

    async parseChunk(text, chunk, groupState, config, run: CostAwareRunContext) {
      const target = targetForJob(env, config);
      const price = priceFor(target);
      const budget = config.maxCostUsd === undefined ? undefined : { maxCostUsd: config.maxCostUsd, price: requirePrice(price, target) };
      const connection = await connectionFor(target);
      const chunkText = text.slice(chunk.start, chunk.end);
      const maxOutputTokens = outputTokenCap(chunkText.length);
      const { callStructured } = await import('./call.js');
      const { output } = await callStructured({
        connection,
        limiter: limiterFor(target, env),
        schema: chunkOutputSchema(groupState.cast.map((member) => member.id)),
        schemaName: CHUNK_SCHEMA_NAME,
        system: SYSTEM_PROMPT,
        prompt: buildChunkPrompt(groupState, chunkText),
        signal: run.signal,
        timeoutMs: options.timeoutMs ?? timeoutFromEnv(env),
        maxOutputTokens,
        beforeRequest: (promptChars) => {
          if (budget) checkBudget(budget.maxCostUsd, run, budget.price, promptChars, chunkText.length);
        },
        onUsage: (usage) => run.reportUsage({ ...usage, costUsd: estimateCost(price, usage.inputTokens, usage.outputTokens).costUsd }),
      });
      return applyChunkOutput(groupState, output, chunk.group);
    },

    assemble(_text, results, _config, meta) {
      return assemblePlay(results, meta);
    },
  };
}

/** The parser the pipeline registers under `llm`. */
export const llmParser = createLlmParser();

function requirePrice(price: ModelPrice | undefined, target: LlmTarget): ModelPrice {
  if (price) return price;
  throw new PermanentError(
    `--max-cost cannot be enforced: no price is known for ${target.provider}/${target.model}; add it to PLAYBUDDY_LLM_PRICES.`,
  );
}

function checkBudget(maxCostUsd: number, run: CostAwareRunContext, price: ModelPrice, promptChars: number, chunkChars: number): void {
  const spent = run.spentCostUsd?.() ?? 0;
  const next = estimateCost(price, promptChars / PROMPT_CHARS_PER_TOKEN, chunkChars * ANSWER_TOKENS_PER_CHUNK_CHAR).costUsd;
  if (spent + next > maxCostUsd) {
    throw new PermanentError(
      `Stopped before the next model call: its estimated $${next.toFixed(4)} on top of $${spent.toFixed(4)} spent would exceed --max-cost $${maxCostUsd}.`,
    );
  }
}

function outputTokenCap(chunkChars: number): number {
  return Math.min(MAX_OUTPUT_TOKENS, Math.max(MIN_OUTPUT_TOKENS, Math.ceil(chunkChars / 2) + 1_024));
}

function timeoutFromEnv(env: Env): number {
  const raw = env[ENV_TIMEOUT_SECONDS]?.trim();
  if (!raw) return DEFAULT_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new PermanentError(`${ENV_TIMEOUT_SECONDS} must be a positive number of seconds, not "${raw}".`);
  return seconds * 1000;
}

function asPermanent<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof UserError) throw new PermanentError(err.message, { cause: err });
    throw err;
  }
}
