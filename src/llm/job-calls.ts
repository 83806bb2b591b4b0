import { setMaxListeners } from 'node:events';
import type { z } from 'zod';
import { PermanentError, UserError } from '../errors.js';
import type { ChunkRunContext, ParseConfig } from '../parse/parser.js';
import { limiterFor } from './limiter.js';
import { estimateCost, loadPriceTable, priceOf, type ModelPrice, type PriceTable } from './pricing.js';
import { connectLlm, targetForJob, type Env, type LlmConnection, type LlmTarget } from './providers.js';
import type { CallRetryPolicy } from './call.js';

// What every parser that asks a model shares: one connection per target for the life of the process, the
// process-wide limiter, prices, the job's --max-cost and the request timeout. A parser only says what to
// ask and what shape the answer has. The AI SDK is loaded on the first call, not when this module is.

export const ENV_TIMEOUT_SECONDS = 'PLAYBUDDY_LLM_TIMEOUT_SECONDS';
const DEFAULT_TIMEOUT_MS = 180_000;

// Each group in flight listens to the job's signal once or twice (its request, its wait for the limiter).
// Node warns past ten listeners to catch leaks; many scenes in flight are fan-out, not a leak.
const SIGNAL_LISTENERS_PER_GROUP = 2;
const NODE_DEFAULT_MAX_LISTENERS = 10;

// About four characters a token: close enough for a budget that must stop before, not after, the spend.
const PROMPT_CHARS_PER_TOKEN = 4;

/**
 * What the pipeline may add to the run context so `--max-cost` covers the whole job, including usage
 * reported by other chunks and by earlier runs of a resumed job. Without it only the next call counts.
 */
export interface CostAwareRunContext extends ChunkRunContext {
  spentCostUsd?(): number;
}

export interface JobCallerOptions {
  /** Where keys, defaults, prices and limits are read from; the worker's own environment by default. */
  env?: Env;
  /** Per request; defaults to PLAYBUDDY_LLM_TIMEOUT_SECONDS, else 180 s. */
  timeoutMs?: number;
  /** How a request failing for a passing reason is tried again within the call (CALL_RETRY by default). */
  retry?: CallRetryPolicy;
}

export interface JobCall<T> {
  config: ParseConfig;
  run: CostAwareRunContext;
  schema: z.ZodType<T>;
  schemaName: string;
  system: string;
  prompt: string;
  maxOutputTokens: number;
  /** What the answer is expected to cost in output tokens, for the budget check before each request. */
  expectedOutputTokens: number;
}

export type JobCaller = <T>(call: JobCall<T>) => Promise<T>;

export function createJobCaller(options: JobCallerOptions = {}): JobCaller {
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

  return async <T>(call: JobCall<T>): Promise<T> => {
    const { config, run } = call;
    setMaxListeners(Math.max(NODE_DEFAULT_MAX_LISTENERS, SIGNAL_LISTENERS_PER_GROUP * (config.llmConcurrency ?? 1)), run.signal);
    const target = targetForJob(env, config);
    const price = priceFor(target);
    const budget = config.maxCostUsd === undefined ? undefined : { maxCostUsd: config.maxCostUsd, price: requirePrice(price, target) };
    const connection = await connectionFor(target);
    const { callStructured } = await import('./call.js');
    const { output } = await callStructured({
      connection,
      limiter: limiterFor(target, env),
      schema: call.schema,
      schemaName: call.schemaName,
      system: call.system,
      prompt: call.prompt,
      signal: run.signal,
      timeoutMs: options.timeoutMs ?? timeoutFromEnv(env),
      maxOutputTokens: call.maxOutputTokens,
      beforeRequest: (promptChars) => {
        if (budget) checkBudget(budget.maxCostUsd, run, budget.price, promptChars, call.expectedOutputTokens);
      },
      onUsage: (usage) => run.reportUsage({ ...usage, costUsd: estimateCost(price, usage.inputTokens, usage.outputTokens).costUsd }),
      retry: options.retry,
      onRetry: (retry) => run.reportRetry?.(retry),
    });
    return output;
  };
}

function requirePrice(price: ModelPrice | undefined, target: LlmTarget): ModelPrice {
  if (price) return price;
  throw new PermanentError(
    `--max-cost cannot be enforced: no price is known for ${target.provider}/${target.model}; add it to PLAYBUDDY_LLM_PRICES.`,
  );
}

function checkBudget(maxCostUsd: number, run: CostAwareRunContext, price: ModelPrice, promptChars: number, outputTokens: number): void {
  const spent = run.spentCostUsd?.() ?? 0;
  const next = estimateCost(price, promptChars / PROMPT_CHARS_PER_TOKEN, outputTokens).costUsd;
  if (spent + next > maxCostUsd) {
    throw new PermanentError(
      `Stopped before the next model call: its estimated $${next.toFixed(4)} on top of $${spent.toFixed(4)} spent would exceed --max-cost $${maxCostUsd}.`,
    );
  }
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
