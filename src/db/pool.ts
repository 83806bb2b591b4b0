import pg from 'pg';
import { ignoreErrorEvents } from './errors.js';

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** TCP keep-alive, for long-lived processes whose idle connections must survive quiet periods. */
  keepAlive?: boolean;
  /**
   * The URL leads to a transaction pooler (PgBouncer): consecutive statements may run on different server
   * connections, so a statement prepared under a name on one of them is unknown (or already taken) on the
   * next. Every statement is then sent unnamed.
   */
  pooled?: boolean;
  /** Keep the plans of prepared statements (see CachedPlanClient); ignored through a pooler. */
  cachedPlans?: boolean;
}

// pg reads `timestamp without time zone` as local time; these columns hold UTC.
const TIMESTAMP_OID = 1114;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID
      ? (value: string) => new Date(value.replace(' ', 'T') + 'Z')
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Sessions run in UTC: the timestamp columns hold UTC without a zone (as Prisma writes them), so `now()` and
 * column defaults must be evaluated in UTC too, whatever the server's own time zone is. TimeZone goes in the
 * startup packet as a parameter of its own rather than through `options=-c …`: PgBouncer refuses `options`
 * but tracks TimeZone per client and sets it on whichever server connection runs the client's transaction.
 */
export class UtcClient extends pg.Client {
  // pg's own hook for the startup packet; it has no public option for arbitrary run-time parameters.
  getStartupConf(): Record<string, string> {
    const conf = (pg.Client.prototype as unknown as { getStartupConf(this: pg.Client): Record<string, string> }).getStartupConf.call(this);
    return { ...conf, TimeZone: 'UTC' };
  }
}

/** A UTC client that drops statement names, for connections through a transaction pooler. */
export class UnnamedStatementClient extends UtcClient {
  override query(...args: unknown[]): never {
    const [config] = args;
    if (config && typeof config === 'object' && 'name' in config && (config as { name?: string }).name) {
      args[0] = { ...(config as object), name: undefined };
    }
    return (pg.Client.prototype.query as (...a: unknown[]) => never).apply(this, args);
  }
}

/**
 * A UTC client whose prepared statements keep the plan PostgreSQL made for them (plan_cache_mode
 * force_generic_plan). The worker's statements are prepared once per connection and run thousands of times;
 * left to choose, PostgreSQL re-plans the claim (a dozen CTEs) on every call, because a plan for the actual
 * parameters always looks a little cheaper — and that planning was the largest cost of a job in the queue.
 * Their generic plans are the same index lookups (the claim's LIMIT is written into its text, see
 * src/queue/sql/claim.ts). Only on a direct connection: a pooler neither keeps named statements nor accepts
 * this start-up parameter.
 */
export class CachedPlanClient extends UtcClient {
  override getStartupConf(): Record<string, string> {
    // No JIT either: every statement here touches a handful of rows, and a large estimate (a long queue)
    // must not make PostgreSQL compile one.
    return { ...super.getStartupConf(), plan_cache_mode: 'force_generic_plan', jit: 'off' };
  }
}

/** The pg client class for a connection string: unnamed statements through a pooler, UTC everywhere. */
export function clientClass(pooled: boolean | undefined, cachedPlans = false): typeof pg.Client {
  if (pooled) return UnnamedStatementClient;
  return cachedPlans ? CachedPlanClient : UtcClient;
}

/**
 * A plain pg pool. Read-only commands use it instead of Prisma: Prisma's query compiler costs about half a
 * second of start-up per process, which `playbuddy status` would pay on every call.
 */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 4,
    application_name: options.applicationName ?? 'playbuddy',
    Client: clientClass(options.pooled, options.cachedPlans),
    types,
    keepAlive: options.keepAlive,
  });
  // An idle pooled connection the server drops must not end the process; the pool replaces it.
  ignoreErrorEvents(pool);
  return pool;
}
