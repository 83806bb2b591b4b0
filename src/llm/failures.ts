import { APICallError } from 'ai';
import { PermanentError, TransientError, errorMessage } from '../errors.js';
import type { LlmConnection } from './providers.js';

// How a failed model call becomes one of the queue's error kinds. The queue owns retries (the SDK is
// called with maxRetries: 0), so everything that may pass by itself must surface as a TransientError,
// carrying the provider's Retry-After when it gave one, and everything else as a PermanentError. Messages
// are built here from the status and the provider's short explanation, never from the SDK error as a
// whole: that carries the request body, and some servers echo the key they refused.

const PROVIDER_MESSAGE_CHARS = 300;

/** HTTP 429: the provider wants fewer requests from this key, not just a second try of this one. */
export class RateLimitedError extends TransientError {}

export function classifyCallFailure(err: unknown, connection: LlmConnection, timeoutMs: number): Error {
  const { provider } = connection.target;
  if (isTimeout(err)) {
    return new TransientError(`${provider} did not answer within ${formatSeconds(timeoutMs)}.`);
  }
  if (!APICallError.isInstance(err)) {
    return new PermanentError(`The ${provider} call failed: ${providerMessage(err, connection)}`);
  }
  const status = err.statusCode;
  const said = providerMessage(err, connection);
  if (status === undefined) {
    // No HTTP answer at all: refused connection, reset, DNS. The SDK marks the passing kinds retryable.
    return err.isRetryable
      ? new TransientError(`Cannot reach ${provider} at ${origin(err.url)}: ${said}`)
      : new PermanentError(`Cannot reach ${provider} at ${origin(err.url)}: ${said}`);
  }
  const wait = retryAfterMs(err.responseHeaders);
  if (status === 401 || status === 403) {
    return new PermanentError(
      connection.hasKey
        ? `The API key in ${connection.keyVariable} was refused by ${provider} (HTTP ${status}): ${said}`
        : `${provider} wants an API key (HTTP ${status}): set ${connection.keyVariable} in the worker's environment.`,
    );
  }
  if (status === 429) {
    return new RateLimitedError(`${provider} is rate limiting requests (HTTP 429)${wait !== undefined ? `; it asked to wait ${formatSeconds(wait)}` : ''}.`, wait);
  }
  // A 2xx whose body the SDK could not read is a glitch of that one answer, not of the request.
  if (err.isRetryable || (status >= 200 && status < 300)) {
    return new TransientError(`${provider} answered HTTP ${status}: ${said}`, wait);
  }
  if (status === 404) {
    return new PermanentError(`${provider} answered HTTP 404 (is the model "${connection.target.model}" available there?): ${said}`);
  }
  return new PermanentError(`${provider} rejected the request (HTTP ${status}): ${said}`);
}

/** Retry-After as milliseconds from now: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Record<string, string> | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const precise = headers['retry-after-ms'];
  if (precise !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(precise)) return Math.round(Number(precise));
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

function providerMessage(err: unknown, connection: LlmConnection): string {
  const text = connection.redact(errorMessage(err)).replace(/\s+/g, ' ').trim();
  return text.length > PROVIDER_MESSAGE_CHARS ? `${text.slice(0, PROVIDER_MESSAGE_CHARS)}…` : text;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'its address';
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
