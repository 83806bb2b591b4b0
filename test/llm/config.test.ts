import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError, UserError } from '../../src/errors.js';
import { abortableDelay, limiterFor, RequestLimiter } from '../../src/llm/limiter.js';
import { BUILT_IN_PRICES, estimateCost, loadPriceTable, priceOf } from '../../src/llm/pricing.js';
import { checkProviderConfig, connectLlm, targetForJob } from '../../src/llm/providers.js';
import { redactSecrets } from '../../src/llm/redact.js';
import { rejectionOf } from '../helpers/wait.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('provider configuration', () => {
  it('takes flags first, then the environment, then a default model', () => {
    const env = { PLAYBUDDY_LLM_PROVIDER: 'openai', PLAYBUDDY_LLM_MODEL: 'gpt-4.1-mini', OPENAI_API_KEY: 'sk-x' };
    expect(checkProviderConfig(env, {})).toEqual({ provider: 'openai', model: 'gpt-4.1-mini' });
    expect(checkProviderConfig({ ...env, ANTHROPIC_API_KEY: 'k' }, { provider: 'anthropic', model: 'claude-haiku-4-5' })).toEqual({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
    });
    expect(checkProviderConfig({ ANTHROPIC_API_KEY: 'k' }, { provider: 'anthropic' }).model).toBe('claude-sonnet-4-5');
  });

  it('refuses a missing key at enqueue with a sentence naming the variable', () => {
    const err = thrown(() => checkProviderConfig({}, { provider: 'anthropic' }));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe('The anthropic provider needs an API key in ANTHROPIC_API_KEY, which is not set in this environment.');
    expect(thrown(() => checkProviderConfig({ OPENAI_API_KEY: '  ' }, { provider: 'openai' })).message).toContain('OPENAI_API_KEY');
  });

  it('fails a job at once in a worker without the key', async () => {
    const err = await rejectionOf(connectLlm({}, { provider: 'openai', model: 'gpt-4.1' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe("The openai provider needs an API key in OPENAI_API_KEY, which is not set in the worker's environment.");
  });

  it('lets a compatible server go without a key but not without an address', () => {
    expect(checkProviderConfig({}, { provider: 'openai-compatible', model: 'llama3.1', baseUrl: 'http://127.0.0.1:11434/v1/' })).toEqual({
      provider: 'openai-compatible',
      model: 'llama3.1',
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
    expect(thrown(() => checkProviderConfig({}, { provider: 'openai-compatible', model: 'm' })).message).toMatch(/--base-url or set PLAYBUDDY_LLM_BASE_URL/);
    expect(thrown(() => targetForJob({}, { provider: 'openai-compatible', model: 'm' }))).toBeInstanceOf(PermanentError);
  });

  it('refuses unknown providers, missing models, bad URLs and URLs carrying credentials', () => {
    expect(thrown(() => checkProviderConfig({}, {})).message).toMatch(/--provider or set PLAYBUDDY_LLM_PROVIDER/);
    expect(thrown(() => checkProviderConfig({ PLAYBUDDY_LLM_PROVIDER: 'mistral' }, {})).message).toMatch(/Unknown LLM provider "mistral"/);
    expect(thrown(() => checkProviderConfig({}, { provider: 'openai-compatible', baseUrl: 'http://h/v1' })).message).toMatch(/--model/);
    expect(thrown(() => checkProviderConfig({}, { provider: 'openai-compatible', model: 'm', baseUrl: 'localhost:8080' })).message).toMatch(/http:\/\/ or https:\/\//);
    const withCredentials = thrown(() => checkProviderConfig({}, { provider: 'openai-compatible', model: 'm', baseUrl: 'http://me:pw@h/v1' }));
    expect(withCredentials.message).toMatch(/must not contain credentials: put the key in PLAYBUDDY_LLM_API_KEY/);
    expect(withCredentials.message).not.toContain('pw');
  });

  it('refuses a base URL whose query string carries a credential, and names the parameter but not its value', () => {
    for (const name of ['api-key', 'key', 'access_token', 'client_secret', 'sig', 'X-Amz-Signature', 'auth', 'password']) {
      const err = thrown(() => checkProviderConfig({}, { provider: 'openai-compatible', model: 'm', baseUrl: `http://h/v1?${name}=s3cr3t-value` }));
      expect(err, name).toBeInstanceOf(UserError);
      expect(err.message).toMatch(new RegExp(`must not carry credentials in its query string \\("${name}"\\): put the key in PLAYBUDDY_LLM_API_KEY`));
      expect(err.message).not.toContain('s3cr3t');
    }
    expect(thrown(() => targetForJob({}, { provider: 'openai-compatible', model: 'm', baseUrl: 'http://h/v1?token=t' }))).toBeInstanceOf(PermanentError);
    // Harmless parameters stay allowed (Azure-style deployments need api-version).
    expect(checkProviderConfig({}, { provider: 'openai-compatible', model: 'm', baseUrl: 'http://h/v1?api-version=2024-10-21' }).baseUrl).toBe(
      'http://h/v1?api-version=2024-10-21',
    );
  });

  it('redacts the key and anything shaped like a key', () => {
    const key = 'local-secret-5c8a1e7d2b9f';
    expect(redactSecrets(`got ${key}; also sk-proj-abcdefghijklmnop and Bearer abc.def`, [key])).toBe(
      'got [redacted]; also [redacted] and Bearer [redacted]',
    );
  });
});

describe('prices', () => {
  it('knows a few models, including their dated snapshots, and nothing it is not told', () => {
    expect(priceOf(BUILT_IN_PRICES, 'anthropic', 'claude-sonnet-4-5')).toEqual({ input: 3, output: 15 });
    expect(priceOf(BUILT_IN_PRICES, 'anthropic', 'claude-sonnet-4-5-20250929')).toEqual({ input: 3, output: 15 });
    expect(priceOf(BUILT_IN_PRICES, 'openai', 'gpt-4.1-2025-04-14')).toEqual({ input: 2, output: 8 });
    expect(priceOf(BUILT_IN_PRICES, 'openai', 'gpt-4.1-nano')).toBeUndefined();
    expect(priceOf(BUILT_IN_PRICES, 'openai-compatible', 'llama3.1')).toBeUndefined();
  });

  it('estimates per million tokens, and flags an unknown price as 0', () => {
    expect(estimateCost({ input: 3, output: 15 }, 1_000_000, 100_000)).toEqual({ costUsd: 4.5, priceKnown: true });
    expect(estimateCost(undefined, 5_000, 5_000)).toEqual({ costUsd: 0, priceKnown: false });
  });

  it('lays PLAYBUDDY_LLM_PRICES over the table, as JSON or as a file', () => {
    const inline = loadPriceTable({ PLAYBUDDY_LLM_PRICES: '{"openai-compatible/llama3.1": {"input": 0.1, "output": 0.2}, "openai/gpt-4.1": {"input": 1, "output": 4}}' });
    expect(priceOf(inline, 'openai-compatible', 'llama3.1')).toEqual({ input: 0.1, output: 0.2 });
    expect(priceOf(inline, 'openai', 'gpt-4.1')).toEqual({ input: 1, output: 4 });
    expect(priceOf(inline, 'anthropic', 'claude-haiku-4-5')).toEqual({ input: 1, output: 5 });

    const file = join(mkdtempSync(join(tmpdir(), 'prices-')), 'prices.json');
    writeFileSync(file, JSON.stringify({ 'anthropic/claude-next': { input: 2, output: 9 } }));
    expect(priceOf(loadPriceTable({ PLAYBUDDY_LLM_PRICES: file }), 'anthropic', 'claude-next')).toEqual({ input: 2, output: 9 });
  });

  it('says what is wrong with a bad price setting', () => {
    expect(thrown(() => loadPriceTable({ PLAYBUDDY_LLM_PRICES: '{"gpt-4.1": {"input": 1, "output": 2}}' })).message).toMatch(/provider\/model/);
    expect(thrown(() => loadPriceTable({ PLAYBUDDY_LLM_PRICES: '{"openai/x": {"input": -1, "output": 2}}' }))).toBeInstanceOf(UserError);
    expect(thrown(() => loadPriceTable({ PLAYBUDDY_LLM_PRICES: '/nonexistent/prices.json' })).message).toMatch(/cannot be read/);
  });
});

describe('request limiter', () => {
  it('runs at most maxConcurrent tasks at once, in arrival order', async () => {
    const limiter = new RequestLimiter(2);
    const signal = new AbortController().signal;
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limiter.run(signal, async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await abortableDelay(20, signal);
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.inFlight).toBe(0);
  });

  it('holds every request that has not started, and lets a waiter leave when its job aborts', async () => {
    const limiter = new RequestLimiter(1);
    limiter.holdFor(300);
    const started = Date.now();
    const job = new AbortController();
    const waiting = limiter.run(job.signal, async () => 'never');
    const queued = limiter.run(new AbortController().signal, async () => Date.now() - started);
    setTimeout(() => job.abort(), 50);

    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(await queued).toBeGreaterThanOrEqual(290);
    expect(limiter.waiting).toBe(0);
  });

  it('removes an aborted waiter from the queue without taking a slot', async () => {
    const limiter = new RequestLimiter(1);
    const free = new AbortController().signal;
    let release!: () => void;
    const busy = limiter.run(free, () => new Promise<void>((resolve) => (release = resolve)));
    const job = new AbortController();
    const waiter = limiter.run(job.signal, async () => 'never');
    expect(limiter.waiting).toBe(1);
    job.abort(new Error('cancelled'));
    await expect(waiter).rejects.toThrow('cancelled');
    expect(limiter.waiting).toBe(0);
    release();
    await busy;
    await expect(limiter.run(free, async () => 'next')).resolves.toBe('next');
  });

  it('is shared per provider endpoint within the process', () => {
    const a = limiterFor({ provider: 'openai-compatible', model: 'x', baseUrl: 'http://h1/v1' }, {});
    expect(limiterFor({ provider: 'openai-compatible', model: 'y', baseUrl: 'http://h1/v1' }, {})).toBe(a);
    expect(limiterFor({ provider: 'openai-compatible', model: 'x', baseUrl: 'http://h2/v1' }, {})).not.toBe(a);
    expect(limiterFor({ provider: 'anthropic', model: 'x' }, { PLAYBUDDY_LLM_MAX_REQUESTS: '3' }).maxConcurrent).toBe(3);
    expect(thrown(() => limiterFor({ provider: 'openai', model: 'x' }, { PLAYBUDDY_LLM_MAX_REQUESTS: 'many' }))).toBeInstanceOf(PermanentError);
  });
});
