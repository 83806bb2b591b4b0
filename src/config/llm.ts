import { z } from 'zod';
import { UserError } from '../errors.js';
import type { ParseConfig } from '../parse/parser.js';

// LLM settings of a job: flags first, then the enqueuing environment's defaults. Only the choice of provider,
// model and server goes into the job; API keys are read by the worker from its own environment.

const PROVIDERS = ['anthropic', 'openai', 'openai-compatible'] as const;

const llmSettings = z.object({
  provider: z.enum(PROVIDERS, { error: () => `must be one of ${PROVIDERS.join(', ')}` }),
  model: z.string().trim().min(1).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: () => 'must be an http(s) URL' }).optional(),
  llmConcurrency: z.number().int().min(1).max(64).optional(),
  maxCostUsd: z.number().min(0).optional(),
});

export interface LlmFlags {
  provider?: string;
  model?: string;
  baseUrl?: string;
  llmConcurrency?: number;
  maxCost?: number;
}

const SETTING_NAMES: Record<string, string> = {
  provider: '--provider (or PLAYBUDDY_LLM_PROVIDER)',
  model: '--model (or PLAYBUDDY_LLM_MODEL)',
  baseUrl: '--base-url (or PLAYBUDDY_LLM_BASE_URL)',
  llmConcurrency: '--llm-concurrency',
  maxCostUsd: '--max-cost',
};

export function resolveLlmConfig(flags: LlmFlags, env: NodeJS.ProcessEnv): Partial<ParseConfig> {
  const raw = {
    provider: flags.provider ?? (env.PLAYBUDDY_LLM_PROVIDER?.trim() || undefined),
    model: flags.model ?? (env.PLAYBUDDY_LLM_MODEL?.trim() || undefined),
    baseUrl: flags.baseUrl ?? (env.PLAYBUDDY_LLM_BASE_URL?.trim() || undefined),
    llmConcurrency: flags.llmConcurrency,
    maxCostUsd: flags.maxCost,
  };
  if (!raw.provider) {
    throw new UserError(
      'An LLM parser needs a provider.',
      'Pass --provider anthropic|openai|openai-compatible, or set PLAYBUDDY_LLM_PROVIDER.',
    );
  }
  const parsed = llmSettings.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    throw new UserError(`${SETTING_NAMES[key] ?? key} ${issue.message}.`);
  }
  if (parsed.data.provider === 'openai-compatible' && !parsed.data.baseUrl) {
    throw new UserError(
      'The openai-compatible provider needs the server address.',
      'Pass --base-url http://host:port/v1, or set PLAYBUDDY_LLM_BASE_URL.',
    );
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
}
