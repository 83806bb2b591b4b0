import type { Db, Prisma } from './client.js';

// The one shape hand-written SQL is sent through. The queue layer speaks only this (pg's own `query` with a
// statement object), so a pg pool, a pooled client inside a transaction, or — where a caller must share a
// Prisma transaction, as the worker does when it stores a play and completes its job together — a Prisma
// client all run the same statements.

export interface Statement {
  /** Prepared-statement name: pg parses and plans a named statement once per connection. */
  name?: string;
  text: string;
  values?: unknown[];
}

export interface Queryable {
  // `any` as pg's own default: callers name the row type they read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<R extends Record<string, any> = any>(statement: Statement): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A connection lent by a pool: pg's PoolClient. */
export interface LentConnection extends Queryable {
  release(err?: Error | boolean): void;
  on?(event: 'error', listener: (err: Error) => void): unknown;
  off?(event: 'error', listener: (err: Error) => void): unknown;
}

/** A pool that can lend one connection for a transaction (pg.Pool). */
export interface TransactionPool extends Queryable {
  connect(): Promise<LentConnection>;
}

/**
 * Runs `fn` in one transaction on one pooled connection. `begin` may carry statements that belong at the
 * start of the transaction (a lock), so they cost no extra round trip.
 */
export async function inTransaction<T>(pool: TransactionPool, fn: (tx: Queryable) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const c = await pool.connect();
  // While we hold it the pool does not listen to it, and a dropped connection would emit 'error' to nobody
  // (ending the process with a stack trace); the statement in flight fails with the cause anyway.
  const quiet = () => {};
  c.on?.('error', quiet);
  try {
    await c.query({ text: begin });
    const result = await fn(c);
    await c.query({ text: 'COMMIT' });
    return result;
  } catch (err) {
    await c.query({ text: 'ROLLBACK' }).catch(() => {});
    throw err;
  } finally {
    c.off?.('error', quiet);
    c.release();
  }
}

/**
 * The same statements over a Prisma client or transaction. Prisma's raw queries return rows only, so
 * `rowCount` is the number of rows returned: statements sent this way report what they changed with RETURNING.
 */
export function queryableOverPrisma(db: Db | Prisma.TransactionClient): Queryable {
  return {
    async query<R>(statement: Statement) {
      const rows = await db.$queryRawUnsafe<R[]>(statement.text, ...(statement.values ?? []));
      return { rows, rowCount: rows.length };
    },
  };
}
