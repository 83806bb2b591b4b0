// Error kinds shared by every layer. The CLI prints a UserError as one sentence plus a hint; the worker
// decides between retrying and failing a job by the kind of error a job handler throws.

/** Something the user can fix: a bad flag, a missing file, an unreachable database. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure that may go away by itself (network, timeout, HTTP 429/5xx): the job is retried with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    /** How long the other side asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure that retrying cannot fix (unparseable input, validation that cannot pass): the job fails at once. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
