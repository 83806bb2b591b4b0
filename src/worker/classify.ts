import { PermanentError, TransientError, UserError, errorMessage } from '../errors.js';

// Whether a failed attempt is worth repeating. Handlers should throw TransientError or PermanentError; for
// anything else the cause chain is inspected for the usual signs of a passing problem (the network, the
// database restarting, a timeout). An error that matches nothing is a bug in the code that ran, which would
// fail the same way again (after spending more tokens): the job fails at once with the message, and the
// operator re-runs it with `playbuddy retry` once it is fixed.

export type Verdict =
  | { kind: 'transient'; message: string; retryAfterMs?: number }
  | { kind: 'permanent'; message: string };

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
// SQLSTATEs of a database that is going away or too busy: connection exceptions (class 08), admin/crash
// shutdown, cannot connect now, too many connections, serialization failure, deadlock.
const PG_TRANSIENT = /^(08...|57P0[123]|53300|40001|40P01)$/;
// Prisma: cannot reach / timed out / closed the connection / pool timeout / transaction conflict.
const PRISMA_TRANSIENT = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);

export function classifyError(err: unknown): Verdict {
  const message = errorMessage(err).trim() || 'unknown error';
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof PermanentError || e instanceof UserError) return { kind: 'permanent', message };
    if (e instanceof TransientError) return { kind: 'transient', message, retryAfterMs: e.retryAfterMs };
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_TRANSIENT.test(code) || PRISMA_TRANSIENT.has(code))) {
      return { kind: 'transient', message };
    }
    if (e instanceof Error && e.name === 'TimeoutError') return { kind: 'transient', message };
  }
  return { kind: 'permanent', message };
}
