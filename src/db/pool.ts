import pg from 'pg';

/** What hand-written queries need: a pg Pool or Client. */
export type SqlClient = Pick<pg.Pool, 'query'>;

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** TCP keep-alive, for long-lived processes whose idle connections must survive quiet periods. */
  keepAlive?: boolean;
}

/**
 * A plain pg pool. Read-only commands use it instead of Prisma: Prisma's query compiler costs about half a
 * second of start-up per process, which `playbuddy status` would pay on every call.
 */
// pg reads `timestamp without time zone` as local time; these columns hold UTC.
const TIMESTAMP_OID = 1114;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID
      ? (value: string) => new Date(value.replace(' ', 'T') + 'Z')
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString,
    max: options.max ?? 4,
    application_name: options.applicationName ?? 'playbuddy',
    // The timestamp columns hold UTC without a zone (as Prisma writes them); `now()` must be read in UTC too.
    options: '-c TimeZone=UTC',
    types,
    keepAlive: options.keepAlive,
  });
}
