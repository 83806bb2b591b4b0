import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentError, TransientError } from '../../src/errors.js';
import { CALL_RETRY, callStructured, type CallUsage, type StructuredCall } from '../../src/llm/call.js';
import { RequestLimiter } from '../../src/llm/limiter.js';
import { connectLlm, type LlmConnection, type LlmProvider } from '../../src/llm/providers.js';
import { startLlmDouble, type Handler, type LlmDouble } from '../doubles/llm-server.js';
import { rejectionOf } from '../helpers/wait.js';

const KEYS = {
  ANTHROPIC_API_KEY: 'sk-ant-test-4f1d9c0e7b2a5f3c',
  OPENAI_API_KEY: 'sk-test-openai-8e2b7d1c4a9f6e0b',
  PLAYBUDDY_LLM_API_KEY: 'local-secret-5c8a1e7d2b9f',
};

const greeting = z.object({ greeting: z.string(), count: z.number().int() });

const PROTOCOLS: Array<{ provider: LlmProvider; model: string; path: string; keyHeader: string; key: string }> = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5', path: '/v1/messages', keyHeader: 'x-api-key', key: KEYS.ANTHROPIC_API_KEY },
  { provider: 'anthropic', model: 'claude-3-haiku-20240307', path: '/v1/messages', keyHeader: 'x-api-key', key: KEYS.ANTHROPIC_API_KEY },
  { provider: 'openai', model: 'gpt-4.1', path: '/v1/responses', keyHeader: 'authorization', key: KEYS.OPENAI_API_KEY },
  { provider: 'openai-compatible', model: 'llama3.1', path: '/v1/chat/completions', keyHeader: 'authorization', key: KEYS.PLAYBUDDY_LLM_API_KEY },
];

let double: LlmDouble;

beforeEach(async () => {
  double = await startLlmDouble();
});

afterEach(async () => {
  await double.close();
});

async function connect(provider: LlmProvider = 'anthropic', model = 'claude-sonnet-4-5'): Promise<LlmConnection> {
  return connectLlm(KEYS, { provider, model, baseUrl: double.url });
}

function callWith(
  connection: LlmConnection,
  overrides: Partial<StructuredCall<z.infer<typeof greeting>>> = {},
): { call: StructuredCall<z.infer<typeof greeting>>; usages: CallUsage[] } {
  const usages: CallUsage[] = [];
  return {
    usages,
    call: {
      connection,
      limiter: new RequestLimiter(4),
      schema: greeting,
      schemaName: 'greeting',
      system: 'Answer with a greeting.',
      prompt: 'Say hello twice.',
      signal: new AbortController().signal,
      timeoutMs: 5_000,
      maxOutputTokens: 200,
      onUsage: (usage) => void usages.push(usage),
      // One try per request: these tests look at how a single failure is classified (retries: below).
      retry: { tries: 1, baseMs: 0, capMs: 0 },
      ...overrides,
    },
  };
}

function answer(handler: Handler): void {
  double.setHandler(handler);
}

describe.each(PROTOCOLS)('$provider $model over $path', ({ provider, model, path, keyHeader, key }) => {
  it('returns the validated output and its usage, and sends the key only in its header', async () => {
    answer((request) => {
      expect(request.system).toContain('Answer with a greeting.');
      expect(request.prompt).toBe('Say hello twice.');
      expect(request.schema).toMatchObject({ type: 'object', required: ['greeting', 'count'] });
      expect(request.maxOutputTokens).toBe(200);
      return { output: { greeting: 'hello', count: 2 }, usage: { inputTokens: 40, outputTokens: 9 } };
    });
    const { call, usages } = callWith(await connect(provider, model));

    const result = await callStructured(call);

    expect(result).toEqual({ output: { greeting: 'hello', count: 2 }, usage: { inputTokens: 40, outputTokens: 9 } });
    expect(usages).toEqual([{ inputTokens: 40, outputTokens: 9 }]);
    expect(double.requests.map((r) => r.path)).toEqual([path]);
    const [request] = double.requests;
    expect(String(request!.headers[keyHeader])).toContain(key);
    const { [keyHeader]: _keyHeader, ...otherHeaders } = request!.headers;
    expect(JSON.stringify(otherHeaders) + request!.body + request!.path).not.toContain(key);
  });

  it('repairs an answer that does not match the schema, showing the model what was wrong', async () => {
    answer((_request, index) =>
      index === 0 ? { output: { greeting: 'hello', count: 'two' } } : { output: { greeting: 'hello', count: 2 } },
    );
    const { call, usages } = callWith(await connect(provider, model));

    const result = await callStructured(call);

    expect(result.output).toEqual({ greeting: 'hello', count: 2 });
    expect(usages).toHaveLength(2);
    expect(double.requests).toHaveLength(2);
    const repair = JSON.parse(double.requests[1]!.body) as unknown;
    const repairText = JSON.stringify(repair);
    expect(repairText).toContain('could not be used');
    expect(repairText).toContain('count');
    expect(repairText).toContain('Say hello twice.');
  });
});

describe('structured call', () => {
  it('repairs malformed JSON, sending the broken answer back with the parse error', async () => {
    answer((request, index) => {
      if (index === 0) return { text: '{"greeting": "hello", "count": 2' };
      expect(request.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(request.messages[1]!.text).toBe('{"greeting": "hello", "count": 2');
      expect(request.prompt).toMatch(/could not be used/);
      return { output: { greeting: 'hi', count: 1 } };
    });
    const { call } = callWith(await connect('openai-compatible', 'llama3.1'));

    await expect(callStructured(call)).resolves.toMatchObject({ output: { greeting: 'hi', count: 1 } });
    expect(double.requests).toHaveLength(2);
  });

  it('gives up after one repair round with a TransientError, having reported both rounds', async () => {
    answer(() => ({ output: { greeting: 42 }, usage: { inputTokens: 10, outputTokens: 5 } }));
    const { call, usages } = callWith(await connect());

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/even after a repair round/);
    expect(double.requests).toHaveLength(2);
    expect(usages).toEqual([
      { inputTokens: 10, outputTokens: 5 },
      { inputTokens: 10, outputTokens: 5 },
    ]);
  });

  it('does not repair an answer cut off by maxOutputTokens', async () => {
    answer(() => ({ text: '{"greeting": "hel', truncated: true }));
    const { call } = callWith(await connect('openai', 'gpt-4.1'));

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/cut off at 200 output tokens/);
    expect(double.requests).toHaveLength(1);
  });

  it.each([
    ['seconds', { 'retry-after': '2' }, 2_000],
    ['milliseconds', { 'retry-after-ms': '1500' }, 1_500],
  ])('turns a 429 with Retry-After in %s into a TransientError that says how long to wait', async (_unit, headers, expected) => {
    answer(() => ({ status: 429, headers, message: 'slow down' }));
    const { call, usages } = callWith(await connect());

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryAfterMs).toBe(expected);
    expect(usages).toEqual([]);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    answer(() => ({ status: 429, headers: { 'retry-after': at } }));
    const { call } = callWith(await connect('openai', 'gpt-4.1'));

    const err = (await rejectionOf(callStructured(call))) as TransientError;

    expect(err.retryAfterMs).toBeGreaterThan(27_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('makes every caller of the limiter wait out a 429 Retry-After', async () => {
    const limiter = new RequestLimiter(4);
    answer((_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '0.6' } } : { output: { greeting: 'ok', count: 1 } }));
    const connection = await connect();

    await expect(callStructured(callWith(connection, { limiter }).call)).rejects.toBeInstanceOf(TransientError);
    const started = Date.now();
    await callStructured(callWith(connection, { limiter }).call);

    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(double.requests).toHaveLength(2);
  });

  it.each([500, 502, 503, 529, 408, 409])('treats HTTP %i as transient', async (status) => {
    const headers: Record<string, string> = status === 503 ? { 'retry-after': '5' } : {};
    answer(() => ({ status, headers }));
    const { call } = callWith(await connect());

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain(`HTTP ${status}`);
    expect((err as TransientError).retryAfterMs).toBe(status === 503 ? 5_000 : undefined);
  });

  it.each([400, 404, 422])('treats HTTP %i as permanent', async (status) => {
    answer(() => ({ status, message: 'model "nope" does not exist' }));
    const { call } = callWith(await connect());

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain(`HTTP ${status}`);
    expect(err.message).toContain('does not exist');
  });

  it.each([
    ['anthropic', 'ANTHROPIC_API_KEY', KEYS.ANTHROPIC_API_KEY],
    ['openai', 'OPENAI_API_KEY', KEYS.OPENAI_API_KEY],
    ['openai-compatible', 'PLAYBUDDY_LLM_API_KEY', KEYS.PLAYBUDDY_LLM_API_KEY],
  ] as const)('says the %s key in %s was refused, without repeating the key a server echoes', async (provider, variable, key) => {
    answer(() => ({ status: 401, message: `Incorrect API key provided: ${key}. Bearer ${key}` }));
    const { call } = callWith(await connect(provider, 'some-model'));

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain(`The API key in ${variable} was refused`);
    expect(err.message).not.toContain(key);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(key);
    expect(String(err.stack)).not.toContain(key);
  });

  it('tells a keyless compatible server user which variable to set when the server wants a key', async () => {
    answer(() => ({ status: 401, message: 'key required' }));
    const connection = await connectLlm({}, { provider: 'openai-compatible', model: 'm', baseUrl: double.url });

    const err = await rejectionOf(callStructured(callWith(connection).call));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/set PLAYBUDDY_LLM_API_KEY/);
    expect(double.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('turns a request that outlives its timeout into a TransientError, and the server sees it abandoned', async () => {
    answer(() => ({ output: { greeting: 'late', count: 1 }, delayMs: 3_000 }));
    const { call } = callWith(await connect('openai', 'gpt-4.1'), { timeoutMs: 200 });

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/did not answer within 0.2 s/);
    await double.waitFor(() => double.requests[0]?.aborted === true);
    expect(double.requests[0]!.answered).toBe(false);
  });

  it('aborts the request in flight when the job is paused or cancelled, rethrowing the abort as is', async () => {
    answer(() => ({ output: { greeting: 'late', count: 1 }, delayMs: 5_000 }));
    const job = new AbortController();
    const { call, usages } = callWith(await connect(), { signal: job.signal });

    const pending = rejectionOf(callStructured(call));
    await double.waitFor(() => double.requests.length === 1);
    job.abort();
    const err = await pending;

    expect(err.name).toBe('AbortError');
    expect(err).not.toBeInstanceOf(TransientError);
    await double.waitFor(() => double.requests[0]!.aborted);
    expect(usages).toEqual([]);
  });

  it('rethrows the job\'s own abort reason', async () => {
    answer(() => ({ output: { greeting: 'late', count: 1 }, delayMs: 5_000 }));
    const job = new AbortController();
    const reason = new Error('job cancelled');
    const { call } = callWith(await connect('openai-compatible', 'llama3.1'), { signal: job.signal });

    const pending = rejectionOf(callStructured(call));
    await double.waitFor(() => double.requests.length === 1);
    job.abort(reason);

    expect(await pending).toBe(reason);
  });

  it('treats a refused connection as transient', async () => {
    const connection = await connect();
    await double.close();
    double = await startLlmDouble();

    const err = await rejectionOf(callStructured(callWith(connection).call));

    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/Cannot reach anthropic at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('treats a 200 whose body is not JSON as transient', async () => {
    answer(() => ({ rawBody: '<html>gateway hiccup</html>' }));
    const { call } = callWith(await connect('openai-compatible', 'llama3.1'));

    await expect(callStructured(call)).rejects.toBeInstanceOf(TransientError);
  });

  it('asks beforeRequest before every request, and stops when it throws', async () => {
    answer(() => ({ output: { greeting: 'x' } }));
    const seen: number[] = [];
    const { call } = callWith(await connect(), {
      beforeRequest: (chars) => {
        seen.push(chars);
        if (seen.length === 2) throw new PermanentError('over budget');
      },
    });

    await expect(callStructured(call)).rejects.toThrow('over budget');
    expect(double.requests).toHaveLength(1);
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
  });

  it("leaves no listener behind on the job's signal, however many calls the job makes", async () => {
    answer(() => ({ output: { greeting: 'hi', count: 1 } }));
    const job = new AbortController();
    const connection = await connect('openai-compatible', 'llama3.1');
    for (let i = 0; i < 12; i++) await callStructured(callWith(connection, { signal: job.signal }).call);
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);
  });
});

describe('requests that fail for a passing reason', () => {
  const quick = { tries: 4, baseMs: 50, capMs: 1_000 };

  it('retries within the call by default: four tries, backoff from one second up to a minute', () => {
    expect(CALL_RETRY).toEqual({ tries: 4, baseMs: 1_000, capMs: 60_000 });
  });

  it('are sent again with growing waits, and the call gives up after the last try', async () => {
    const retries: Array<{ tryNumber: number; waitMs: number }> = [];
    const { call } = callWith(await connect('openai-compatible', 'llama3.1'), { retry: quick, onRetry: (r) => void retries.push(r) });
    const started: number[] = [];
    answer(() => (started.push(Date.now()), { status: 500, message: 'down' }));

    const err = await rejectionOf(callStructured(call));

    expect(err).toBeInstanceOf(TransientError);
    expect(double.requests).toHaveLength(4);
    expect(retries.map((r) => [r.tryNumber, r.waitMs])).toEqual([[1, 50], [2, 100], [3, 200]]);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(retries[i - 1]!.waitMs - 10);
  });

  it('succeed on a later try without the caller noticing', async () => {
    answer((_r, index) => (index < 2 ? { status: 502 } : { output: { greeting: 'third time', count: 3 } }));
    const { call } = callWith(await connect('openai', 'gpt-4.1'), { retry: quick });

    expect((await callStructured(call)).output).toEqual({ greeting: 'third time', count: 3 });
    expect(double.requests).toHaveLength(3);
  });

  it("wait at least a 429's Retry-After, and slow the shared limiter until requests succeed again", async () => {
    const limiter = new RequestLimiter(8);
    const started: number[] = [];
    answer((_r, index) => (started.push(Date.now()), index === 0 ? { status: 429, headers: { 'retry-after-ms': '400' } } : { output: { greeting: 'ok', count: 1 } }));
    const seenConcurrency: number[] = [];
    const { call } = callWith(await connect(), { retry: quick, limiter, onRetry: () => void seenConcurrency.push(limiter.concurrency) });

    await callStructured(call);

    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(390);
    expect(seenConcurrency).toEqual([4]);
    expect(limiter.concurrency).toBe(5);
  });

  it('are not sent again when the failure is permanent, or when the provider asks for more than the longest wait', async () => {
    answer(() => ({ status: 400, message: 'bad request' }));
    await expect(callStructured(callWith(await connect(), { retry: quick }).call)).rejects.toBeInstanceOf(PermanentError);
    expect(double.requests).toHaveLength(1);

    answer(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    const err = (await rejectionOf(callStructured(callWith(await connect(), { retry: quick }).call))) as TransientError;
    expect(err.retryAfterMs).toBe(30_000);
    expect(double.requests).toHaveLength(2);
  });

  it('stop waiting for the next try when the job is stopped', async () => {
    answer(() => ({ status: 503 }));
    const job = new AbortController();
    const reason = new Error('paused');
    const { call } = callWith(await connect(), { retry: { tries: 4, baseMs: 10_000, capMs: 60_000 }, signal: job.signal });
    const pending = rejectionOf(callStructured(call));
    await double.waitFor(() => double.requests.length === 1);
    setTimeout(() => job.abort(reason), 100);

    expect(await pending).toBe(reason);
    expect(double.requests).toHaveLength(1);
  });
});
