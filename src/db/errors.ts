// Reading database errors as they reach us through pg and through Prisma's driver adapter. Prisma wraps a
// driver failure in a raw query as P2010 and keeps the driver's error, SQLSTATE included, beside the cause
// chain in `meta.driverAdapterError`; node-postgres reports a connection it lost with no code at all.

/** The error, its causes, and the driver errors Prisma keeps in `meta.driverAdapterError`. */
export function* errorChain(err: unknown): Generator<object> {
  const pending: unknown[] = [err];
  for (let seen = 0; pending.length > 0 && seen < 16; seen++) {
    const e = pending.shift();
    if (!e || typeof e !== 'object') continue;
    yield e;
    const { cause, meta } = e as { cause?: unknown; meta?: { driverAdapterError?: unknown } };
    pending.push(cause, meta?.driverAdapterError);
  }
}

// Admin or crash shutdown, and connection exceptions (class 08).
const LOST_SQLSTATE = /^(57P0[12]|08...)$/;
const LOST_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
// The driver adapter's name for a connection the server closed.
const LOST_KIND = 'ConnectionClosed';
const LOST_MESSAGE = /Connection terminated|not queryable|Server has closed the connection/i;

/**
 * How an established connection was lost — the SQLSTATE or socket code, or "connection closed" — or
 * undefined when the error is something else.
 */
export function lostConnection(err: unknown): string | undefined {
  for (const e of errorChain(err)) {
    const how = lostConnectionHere(e);
    if (how) return how;
  }
  return undefined;
}

/** Like lostConnection, for this one error, not its causes. */
export function lostConnectionHere(e: object): string | undefined {
  const { code, originalCode, kind, message } = e as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown };
  for (const c of [originalCode, code]) {
    if (typeof c === 'string' && (LOST_SQLSTATE.test(c) || LOST_SOCKET.has(c))) return c;
  }
  if (kind === LOST_KIND || (typeof message === 'string' && LOST_MESSAGE.test(message))) return 'connection closed';
  return undefined;
}

/**
 * For a pg client or pool the code holds: a connection that drops makes the client emit 'error', and an
 * 'error' event nobody listens to ends the process with a stack trace. The query in flight (or the next one)
 * fails with the same cause, and that failure is what gets reported, so the event itself needs no action.
 */
export function ignoreErrorEvents(emitter: { on(event: 'error', listener: (err: Error) => void): unknown }): void {
  emitter.on('error', () => {});
}
