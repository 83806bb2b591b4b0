import { errorChain, lostConnectionHere } from '../db/errors.js';
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
// shutdown, cannot connect now, too many connections, serialization failure, deadlock, and the idle-in-
// transaction timeout the storing transaction sets itself (its worker froze or was cut off mid-store).
const PG_TRANSIENT = /^(08...|57P0[123]|53300|40001|40P01|25P03)$/;
// Prisma: cannot reach / timed out / closed the connection / pool timeout / transaction conflict.
const PRISMA_TRANSIENT = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
// What Prisma's driver adapter calls an unreachable or too busy server (`meta.driverAdapterError.cause.kind`).
const ADAPTER_TRANSIENT = new Set(['DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections', 'TransactionWriteConflict']);

export function classifyError(err: unknown): Verdict {
  const message = errorMessage(err).trim() || 'unknown error';
  for (const e of errorChain(err)) {
    if (e instanceof PermanentError || e instanceof UserError) return { kind: 'permanent', message };
    if (e instanceof TransientError) return { kind: 'transient', message, retryAfterMs: e.retryAfterMs };
    if (isPassing(e)) return { kind: 'transient', message };
  }
  return { kind: 'permanent', message };
}

function isPassing(e: object): boolean {
  if (lostConnectionHere(e)) return true;
  const { code, originalCode, kind } = e as { code?: unknown; originalCode?: unknown; kind?: unknown };
  for (const c of [code, originalCode]) {
    if (typeof c === 'string' && (NETWORK_CODES.has(c) || PG_TRANSIENT.test(c) || PRISMA_TRANSIENT.has(c))) return true;
  }
  if (typeof kind === 'string' && ADAPTER_TRANSIENT.has(kind)) return true;
  return e instanceof Error && (e.name === 'TimeoutError' || /timeout exceeded when trying to connect/.test(e.message));
}
