import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import type { Env, LlmProvider } from './providers.js';

// Cost is an estimate: providers bill by their own count, discount cached input and change prices
// without notice. The built-in table only saves users from typing the common cases; anything else (or a
// newer price) comes from PLAYBUDDY_LLM_PRICES, either a JSON object or the path of a JSON file:
//   { "anthropic/claude-sonnet-4-5": { "input": 3, "output": 15 }, "openai-compatible/llama3.1": { "input": 0, "output": 0 } }
// Prices are USD per million tokens.

export const ENV_PRICES = 'PLAYBUDDY_LLM_PRICES';

export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Estimates from the providers' public list prices (late 2025); not a quote. */
export const BUILT_IN_PRICES: PriceTable = {
  'anthropic/claude-opus-4-5': { input: 5, output: 25 },
  'anthropic/claude-opus-4-1': { input: 15, output: 75 },
  'anthropic/claude-sonnet-4-5': { input: 3, output: 15 },
  'anthropic/claude-haiku-4-5': { input: 1, output: 5 },
  'openai/gpt-5': { input: 1.25, output: 10 },
  'openai/gpt-5-mini': { input: 0.25, output: 2 },
  'openai/gpt-4.1': { input: 2, output: 8 },
  'openai/gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'openai/gpt-4o-mini': { input: 0.15, output: 0.6 },
};

const priceFileSchema = z.record(
  z.string().regex(/^[a-z-]+\/.+$/, 'keys look like "provider/model"'),
  z.object({ input: z.number().min(0), output: z.number().min(0) }),
);

/** The built-in table with PLAYBUDDY_LLM_PRICES laid over it. */
export function loadPriceTable(env: Env): PriceTable {
  const setting = env[ENV_PRICES]?.trim();
  if (!setting) return BUILT_IN_PRICES;
  const source = setting.startsWith('{') ? setting : readPriceFile(setting);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (err) {
    throw new UserError(`${ENV_PRICES} is not valid JSON: ${errorMessage(err)}`);
  }
  const result = priceFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new UserError(`${ENV_PRICES} does not look like {"provider/model": {"input": USD, "output": USD}}: ${z.prettifyError(result.error)}`);
  }
  return { ...BUILT_IN_PRICES, ...result.data };
}

export function priceOf(table: PriceTable, provider: LlmProvider, model: string): ModelPrice | undefined {
  const exact = table[`${provider}/${model}`];
  if (exact) return exact;
  // Dated snapshots ("claude-sonnet-4-5-20250929", "gpt-4.1-2025-04-14") cost what their alias costs;
  // other suffixes ("-mini", "-nano") are different models and stay unknown.
  const alias = model.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/, '');
  return alias === model ? undefined : table[`${provider}/${alias}`];
}

export interface CostEstimate {
  costUsd: number;
  /** False when the table has no price for the model: the cost is then reported as 0. */
  priceKnown: boolean;
}

export function estimateCost(price: ModelPrice | undefined, inputTokens: number, outputTokens: number): CostEstimate {
  if (!price) return { costUsd: 0, priceKnown: false };
  return { costUsd: (inputTokens * price.input + outputTokens * price.output) / 1_000_000, priceKnown: true };
}

function readPriceFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`${ENV_PRICES} names a file that cannot be read: ${errorMessage(err)}`);
  }
}
