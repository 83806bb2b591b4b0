import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError, UserError } from '../../src/errors.js';
import { nominalDelayMs, retryDelayMs } from '../../src/queue/backoff.js';
import { classifyError } from '../../src/worker/classify.js';

describe('backoff', () => {
  const policy = { baseMs: 5_000, capMs: 60_000 };

  it('doubles per retry up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => nominalDelayMs(policy, n))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('jitters between half and all of the nominal delay', () => {
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(10_000);
    expect(retryDelayMs(policy, 3, undefined, () => 1)).toBe(20_000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(policy, 2);
      expect(d).toBeGreaterThanOrEqual(5_000);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });

  it("honours a provider's Retry-After when it is longer", () => {
    expect(retryDelayMs(policy, 1, 90_000, () => 0.5)).toBe(90_000);
    expect(retryDelayMs(policy, 1, 100, () => 0)).toBe(2_500);
  });
});

describe('error classification', () => {
  it('follows the error kinds handlers throw', () => {
    expect(classifyError(new TransientError('busy', 3_000))).toEqual({ kind: 'transient', message: 'busy', retryAfterMs: 3_000 });
    expect(classifyError(new PermanentError('unparseable'))).toEqual({ kind: 'permanent', message: 'unparseable' });
    expect(classifyError(new UserError('bad config'))).toMatchObject({ kind: 'permanent' });
  });

  it('treats network and database outages as transient, wherever they are in the cause chain', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyError(reset).kind).toBe('transient');
    expect(classifyError(new Error('store failed', { cause: Object.assign(new Error('terminating connection'), { code: '57P01' }) })).kind).toBe('transient');
    expect(classifyError(Object.assign(new Error('pool timeout'), { code: 'P2024' })).kind).toBe('transient');
    // Found by the chaos suite: a worker frozen mid-store loses its transaction to its own SET LOCAL limit.
    const idle = Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), { code: '25P03' });
    expect(classifyError(new Error('store failed', { cause: idle })).kind).toBe('transient');
    expect(classifyError(Object.assign(new Error('took too long'), { name: 'TimeoutError' })).kind).toBe('transient');
  });

  it('reads the SQLSTATE and kind Prisma keeps in meta.driverAdapterError, and the messages pg gives a lost connection', () => {
    // The shapes Prisma 7 raises through @prisma/adapter-pg (P2010 = a raw query failed in the driver).
    const p2010 = (cause: Record<string, unknown>) =>
      Object.assign(new Error('Raw query failed.'), { code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });
    expect(classifyError(p2010({ originalCode: '57P01', kind: 'postgres', code: '57P01', severity: 'FATAL' })).kind).toBe('transient');
    expect(classifyError(p2010({ kind: 'ConnectionClosed' })).kind).toBe('transient');
    expect(classifyError(p2010({ kind: 'DatabaseNotReachable', host: 'h' })).kind).toBe('transient');
    expect(classifyError(p2010({ originalCode: '23505', kind: 'UniqueConstraintViolation' })).kind).toBe('permanent');
    expect(classifyError(new Error('Client has encountered a connection error and is not queryable')).kind).toBe('transient');
    expect(classifyError(new Error('Server has closed the connection.')).kind).toBe('transient');
    expect(classifyError(new Error('Connection terminated unexpectedly')).kind).toBe('transient');
  });

  it('fails unexpected errors (bugs) at once rather than paying for them again', () => {
    expect(classifyError(new TypeError("cannot read properties of undefined (reading 'x')"))).toMatchObject({ kind: 'permanent' });
    expect(classifyError(Object.assign(new Error('unique violation'), { code: '23505' })).kind).toBe('permanent');
  });
});
