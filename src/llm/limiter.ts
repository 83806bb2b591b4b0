import { PermanentError } from '../errors.js';
import type { Env, LlmTarget } from './providers.js';

// Rate limits belong to an API key and endpoint, not to a job: every job of a worker process that talks
// to the same provider and base URL goes through one limiter, so N concurrent jobs cannot multiply the
// request rate, and a 429 seen by one of them makes all of them wait. After a 429 the limiter also lets
// fewer requests run at once (halved, down to one), and gives one slot back per request that succeeds.

export const ENV_MAX_REQUESTS = 'PLAYBUDDY_LLM_MAX_REQUESTS';
const DEFAULT_MAX_REQUESTS = 8;

export class RequestLimiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  private heldUntil = 0;
  private allowed: number;

  constructor(
    readonly maxConcurrent: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError('maxConcurrent must be a positive integer');
    this.allowed = maxConcurrent;
  }

  /** Requests allowed at once right now: maxConcurrent, or fewer after a rate limit. */
  get concurrency(): number {
    return this.allowed;
  }

  /** The provider said "too many requests": every request waits `ms`, and fewer run at once from then on. */
  slowDown(ms: number): void {
    this.holdFor(ms);
    this.allowed = Math.max(1, Math.floor(this.allowed / 2));
  }

  /** A request succeeded: one more may run at once again, up to maxConcurrent. */
  recover(): void {
    if (this.allowed >= this.maxConcurrent) return;
    this.allowed++;
    this.grantWaiting();
  }

  /** Runs `task` once a slot is free and no hold is in force; waiting ends early when `signal` aborts. */
  async run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    await this.acquire(signal);
    try {
      await this.waitOutHold(signal);
      return await task();
    } finally {
      this.release();
    }
  }

  /** Makes every request that has not started yet wait `ms` from now (a 429's Retry-After). */
  holdFor(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.now() + ms);
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  private acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.active < this.allowed) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.queue.indexOf(grant);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.active < this.allowed && this.queue.length > 0) {
      this.active++;
      this.queue.shift()!();
    }
  }

  private async waitOutHold(signal: AbortSignal): Promise<void> {
    // Another 429 may extend the hold while we sleep: look again after every wait.
    for (let left = this.heldUntil - this.now(); left > 0; left = this.heldUntil - this.now()) {
      await abortableDelay(left, signal);
    }
  }
}

const shared = new Map<string, RequestLimiter>();

/** The process-wide limiter for one provider endpoint. */
export function limiterFor(target: LlmTarget, env: Env): RequestLimiter {
  const key = `${target.provider} ${target.baseUrl ?? ''}`;
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = new RequestLimiter(maxRequests(env));
    shared.set(key, limiter);
  }
  return limiter;
}

function maxRequests(env: Env): number {
  const raw = env[ENV_MAX_REQUESTS];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_REQUESTS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new PermanentError(`${ENV_MAX_REQUESTS} must be a positive integer, not "${raw}".`);
  return n;
}

export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
