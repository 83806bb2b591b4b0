import { generateText, NoObjectGeneratedError, NoOutputGeneratedError, Output, type ModelMessage } from 'ai';
import type { z } from 'zod';
import { PermanentError, TransientError, errorMessage } from '../errors.js';
import { UnusableAnswerError } from './unusable-answer.js';
import { classifyCallFailure, RateLimitedError } from './failures.js';
import { abortableDelay, type RequestLimiter } from './limiter.js';
import { buildRepairPrompt } from './prompt.js';
import type { LlmConnection } from './providers.js';

// One structured model call with one repair round. An answer that is not valid JSON, or does not match the
// schema, is sent back once with the problems listed: models usually fix a stray field when told. If the
// second answer is no better, the call fails with a TransientError: models are not deterministic and a
// later attempt of the job often succeeds, while the job's attempt limit (and --max-cost) bound what that
// costs. An answer cut off by maxOutputTokens is not repaired: asking again yields the same cut.
//
// A request that fails for a passing reason (HTTP 429 or 5xx, a timeout, a refused connection) is sent again
// within the job's attempt, with backoff, before the call gives up: one flaky answer in a hundred-chunk play
// must not cost an attempt of the job (and the chunks' worth of waiting that comes with a queue retry). A
// 429 also slows the process-wide limiter, so every job of this worker eases off that provider together.

export interface CallUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface StructuredCall<T> {
  connection: LlmConnection;
  limiter: RequestLimiter;
  schema: z.ZodType<T>;
  schemaName: string;
  system: string;
  prompt: string;
  /** The job's signal: aborting it aborts the request in flight, and the abort reason is rethrown as is. */
  signal: AbortSignal;
  timeoutMs: number;
  maxOutputTokens: number;
  /** Runs before each request with the characters about to be sent; throw to stop (e.g. a budget). */
  beforeRequest?(promptChars: number): void;
  /** Runs for every answer that was paid for, including answers that then failed validation. */
  onUsage(usage: CallUsage): void;
  /** How often a request that failed for a passing reason is sent again within the call; CALL_RETRY by default. */
  retry?: CallRetryPolicy;
  /** Runs before each wait for another try of a request. */
  onRetry?(retry: { tryNumber: number; waitMs: number; reason: string }): void;
}

export interface CallRetryPolicy {
  /** Tries of one request in all, the first one included. */
  tries: number;
  /** The wait before the second try; doubled for each further one, up to capMs. */
  baseMs: number;
  capMs: number;
}

export const CALL_RETRY: CallRetryPolicy = { tries: 4, baseMs: 1_000, capMs: 60_000 };

export interface StructuredResult<T> {
  output: T;
  /** Both rounds together when there was a repair. */
  usage: CallUsage;
}

const MAX_LISTED_PROBLEMS = 20;

export async function callStructured<T>(call: StructuredCall<T>): Promise<StructuredResult<T>> {
  const question: ModelMessage = { role: 'user', content: call.prompt };
  const first = await attempt(call, [question]);
  if (first.ok) return { output: first.output, usage: first.usage };

  const problems = describeProblems(first.invalid, call.connection);
  const second = await attempt(call, [
    question,
    { role: 'assistant', content: first.invalid.text ?? '' },
    { role: 'user', content: buildRepairPrompt(problems) },
  ]);
  const usage = addUsage(first.usage, second.usage);
  if (second.ok) return { output: second.output, usage };
  throw new UnusableAnswerError(
    `The model's answer did not match the expected JSON even after a repair round: ${describeProblems(second.invalid, call.connection)}`,
  );
}

type Attempt<T> =
  | { ok: true; output: T; usage: CallUsage }
  | { ok: false; invalid: NoObjectGeneratedError; usage: CallUsage };

/** One request, sent again (up to the policy's tries) while it fails for a passing reason. */
async function attempt<T>(call: StructuredCall<T>, messages: ModelMessage[]): Promise<Attempt<T>> {
  const policy = call.retry ?? CALL_RETRY;
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      const result = await send(call, messages);
      call.limiter.recover();
      return result;
    } catch (err) {
      const waitMs = retryWait(err, tryNumber, policy, call.signal);
      if (waitMs === undefined) throw err;
      if (err instanceof RateLimitedError) call.limiter.slowDown(waitMs);
      call.onRetry?.({ tryNumber, waitMs, reason: (err as Error).message });
      await abortableDelay(waitMs, call.signal);
    }
  }
}

/** How long to wait before trying the request again, or undefined to give up and throw. */
function retryWait(err: unknown, tryNumber: number, policy: CallRetryPolicy, signal: AbortSignal): number | undefined {
  // UnusableAnswerError is transient for the job, but the repair round already was this call's second chance.
  if (signal.aborted || !(err instanceof TransientError) || err instanceof UnusableAnswerError || tryNumber >= policy.tries) return undefined;
  const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** (tryNumber - 1));
  // A provider asking for more than the longest wait here gets it from the queue instead, which frees the
  // worker meanwhile (and honours Retry-After too).
  if (err.retryAfterMs !== undefined && err.retryAfterMs > policy.capMs) return undefined;
  return Math.max(backoff, err.retryAfterMs ?? 0);
}

async function send<T>(call: StructuredCall<T>, messages: ModelMessage[]): Promise<Attempt<T>> {
  call.beforeRequest?.(call.system.length + messages.reduce((n, m) => n + contentLength(m), 0));
  const { connection, limiter, signal } = call;
  try {
    const result = await limiter.run(signal, () =>
      withRequestSignal(signal, (requestSignal) =>
        generateText({
          model: connection.model,
          output: Output.object({ schema: call.schema, name: call.schemaName }),
          system: call.system,
          messages,
          maxRetries: 0,
          abortSignal: requestSignal,
          timeout: call.timeoutMs,
          maxOutputTokens: call.maxOutputTokens,
        }),
      ),
    );
    const usage = toCallUsage(result.usage);
    call.onUsage(usage);
    return { ok: true, output: result.output, usage };
  } catch (err) {
    if (signal.aborted) throw err;
    if (NoObjectGeneratedError.isInstance(err)) {
      const usage = toCallUsage(err.usage);
      call.onUsage(usage);
      if (err.finishReason === 'length') throw truncated(call);
      return { ok: false, invalid: err, usage };
    }
    if (NoOutputGeneratedError.isInstance(err)) {
      throw new TransientError(`${connection.target.provider} returned no answer (${connection.redact(errorMessage(err))}).`);
    }
    const failure = classifyCallFailure(err, connection, call.timeoutMs);
    // Every request of this process to the provider waits as long as it asked, not only this one.
    if (failure instanceof TransientError && failure.retryAfterMs !== undefined) limiter.holdFor(failure.retryAfterMs);
    throw failure;
  }
}

/**
 * Runs one request under a signal of its own that follows the job's. The SDK listens to the signal it is
 * given and never lets go, so handing it the job's signal would pile up a listener per call for the
 * job's whole life; this one is dropped with the request.
 */
async function withRequestSignal<T>(jobSignal: AbortSignal, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
  jobSignal.throwIfAborted();
  const controller = new AbortController();
  const forward = () => controller.abort(jobSignal.reason);
  jobSignal.addEventListener('abort', forward, { once: true });
  try {
    return await request(controller.signal);
  } finally {
    jobSignal.removeEventListener('abort', forward);
  }
}

function truncated(call: StructuredCall<unknown>): PermanentError {
  return new PermanentError(
    `The model's answer was cut off at ${call.maxOutputTokens} output tokens; use a smaller --chunk-size.`,
  );
}

function describeProblems(err: NoObjectGeneratedError, connection: LlmConnection): string {
  const issues = findIssues(err);
  if (issues.length === 0) {
    return connection.redact(errorMessage(err.cause ?? err)).replace(/\s+/g, ' ').slice(0, 500);
  }
  const listed = issues.slice(0, MAX_LISTED_PROBLEMS).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `- ${path}: ${issue.message}`;
  });
  if (issues.length > MAX_LISTED_PROBLEMS) listed.push(`- and ${issues.length - MAX_LISTED_PROBLEMS} more`);
  return listed.join('\n');
}

interface ValidationIssue {
  path: PropertyKey[];
  message: string;
}

/** The schema's issues, wherever the SDK wrapped them (NoObjectGeneratedError → TypeValidationError → ZodError). */
function findIssues(err: unknown): ValidationIssue[] {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const issues = (e as { issues?: unknown }).issues;
    if (Array.isArray(issues)) return issues as ValidationIssue[];
  }
  return [];
}

function contentLength(message: ModelMessage): number {
  return typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content).length;
}

function toCallUsage(usage: { inputTokens: number | undefined; outputTokens: number | undefined } | undefined): CallUsage {
  return { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
}

function addUsage(a: CallUsage, b: CallUsage): CallUsage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}
