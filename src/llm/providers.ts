import type { LanguageModel } from 'ai';
import { PermanentError, UserError } from '../errors.js';
import type { ParseConfig } from '../parse/parser.js';
import { redactSecrets } from './redact.js';

// Which model a job talks to, and where its key comes from. Only this module reads API keys, and only
// from the environment of the process that makes the call: keys never enter a job's config, the
// database, logs or messages. The AI SDK packages are imported lazily so the CLI can check a
// configuration at start-up without loading them.

export type LlmProvider = 'anthropic' | 'openai' | 'openai-compatible';
export const LLM_PROVIDERS: readonly LlmProvider[] = ['anthropic', 'openai', 'openai-compatible'];

/** What a job stores about its model (no secrets). */
export interface LlmTarget {
  provider: LlmProvider;
  model: string;
  baseUrl?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const ENV_PROVIDER = 'PLAYBUDDY_LLM_PROVIDER';
export const ENV_MODEL = 'PLAYBUDDY_LLM_MODEL';
export const ENV_BASE_URL = 'PLAYBUDDY_LLM_BASE_URL';

// The compatible server gets its own variable: falling back to OPENAI_API_KEY would hand the OpenAI key
// to whatever host --base-url names.
const KEY_VARIABLES: Record<LlmProvider, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  'openai-compatible': 'PLAYBUDDY_LLM_API_KEY',
};

const DEFAULT_MODELS: Partial<Record<LlmProvider, string>> = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4.1',
};

export function apiKeyVariable(provider: LlmProvider): string {
  return KEY_VARIABLES[provider];
}

/**
 * For `enqueue`: resolves provider, model and base URL (flags first, then the environment) and refuses a
 * configuration that cannot work here, including a missing key. Store the returned target in the job.
 */
export function checkProviderConfig(env: Env, config: Pick<ParseConfig, 'provider' | 'model' | 'baseUrl'>): LlmTarget {
  const resolved = resolveTarget(env, config);
  if (typeof resolved === 'string') throw new UserError(resolved, configHint());
  const missingKey = missingKeySentence(env, resolved, 'this environment');
  if (missingKey) throw new UserError(missingKey, `Set ${apiKeyVariable(resolved.provider)} in the environment of the worker that runs the job.`);
  return resolved;
}

/** For the worker: the job's target, with the same defaults; a job that cannot work fails at once. */
export function targetForJob(env: Env, config: Pick<ParseConfig, 'provider' | 'model' | 'baseUrl'>): LlmTarget {
  const resolved = resolveTarget(env, config);
  if (typeof resolved === 'string') throw new PermanentError(resolved);
  return resolved;
}

export interface LlmConnection {
  readonly target: LlmTarget;
  readonly model: LanguageModel;
  readonly keyVariable: string;
  /** Whether a key is sent (a compatible server may take none). */
  readonly hasKey: boolean;
  /** Removes the key (and anything shaped like a key) from text that is about to leave the worker. */
  redact(text: string): string;
}

export async function connectLlm(env: Env, requested: LlmTarget): Promise<LlmConnection> {
  const target = targetForJob(env, requested);
  const missingKey = missingKeySentence(env, target, "the worker's environment");
  if (missingKey) throw new PermanentError(missingKey);
  const keyVariable = apiKeyVariable(target.provider);
  const apiKey = nonEmpty(env[keyVariable]);
  const connection = (model: LanguageModel): LlmConnection => ({
    target,
    model,
    keyVariable,
    hasKey: apiKey !== undefined,
    redact: (text) => redactSecrets(text, apiKey ? [apiKey] : []),
  });

  switch (target.provider) {
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return connection(createAnthropic({ apiKey, baseURL: target.baseUrl })(target.model));
    }
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return connection(createOpenAI({ apiKey, baseURL: target.baseUrl })(target.model));
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      // Without supportsStructuredOutputs the SDK sends only {type: 'json_object'} and the server never
      // sees the schema.
      const provider = createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: target.baseUrl!,
        apiKey,
        supportsStructuredOutputs: true,
      });
      return connection(provider.chatModel(target.model));
    }
  }
}

function resolveTarget(env: Env, config: Pick<ParseConfig, 'provider' | 'model' | 'baseUrl'>): LlmTarget | string {
  const providerName = config.provider ?? nonEmpty(env[ENV_PROVIDER]);
  if (!providerName) return `No LLM provider chosen: use --provider or set ${ENV_PROVIDER} (${LLM_PROVIDERS.join(', ')}).`;
  if (!isProvider(providerName)) {
    return `Unknown LLM provider "${providerName}": choose one of ${LLM_PROVIDERS.join(', ')}.`;
  }
  const provider = providerName;
  const model = config.model ?? nonEmpty(env[ENV_MODEL]) ?? DEFAULT_MODELS[provider];
  if (!model) return `No model chosen for the ${provider} provider: use --model or set ${ENV_MODEL}.`;

  const baseUrl = config.baseUrl ?? nonEmpty(env[ENV_BASE_URL]);
  if (!baseUrl) {
    if (provider === 'openai-compatible') {
      return `The openai-compatible provider needs the server's URL: use --base-url or set ${ENV_BASE_URL} (e.g. http://127.0.0.1:11434/v1).`;
    }
    return { provider, model };
  }
  const urlProblem = baseUrlProblem(baseUrl, provider);
  return urlProblem ?? { provider, model, baseUrl: baseUrl.replace(/\/+$/, '') };
}

function baseUrlProblem(baseUrl: string, provider: LlmProvider): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return `The base URL "${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:11434/v1).`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `The base URL must start with http:// or https://.`;
  // A URL is stored with the job; credentials inside it would end up in the database.
  if (url.username || url.password) {
    return `The base URL must not contain credentials: put the key in ${apiKeyVariable(provider)} instead.`;
  }
  // Some gateways take the key as a query parameter (?api-key=…, ?sig=…); stored with the job it would be as
  // readable as user:pass@ — so the same refusal, naming the parameter but never its value.
  const secretParam = [...url.searchParams.keys()].find((name) => CREDENTIAL_PARAM.test(name));
  if (secretParam !== undefined) {
    return `The base URL must not carry credentials in its query string ("${secretParam}"): put the key in ${apiKeyVariable(provider)} instead.`;
  }
  return undefined;
}

const CREDENTIAL_PARAM = /key|token|secret|sig|auth|passw/i;

function missingKeySentence(env: Env, target: LlmTarget, where: string): string | undefined {
  // Local servers (Ollama, llama.cpp, vLLM) usually take no key at all.
  if (target.provider === 'openai-compatible') return undefined;
  const variable = apiKeyVariable(target.provider);
  if (nonEmpty(env[variable])) return undefined;
  return `The ${target.provider} provider needs an API key in ${variable}, which is not set in ${where}.`;
}

function configHint(): string {
  return `Defaults come from ${ENV_PROVIDER}, ${ENV_MODEL} and ${ENV_BASE_URL}.`;
}

function isProvider(name: string): name is LlmProvider {
  return (LLM_PROVIDERS as readonly string[]).includes(name);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
