import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

export interface DbOptions {
  /** Pool size; a worker needs one per concurrent job plus a couple for heartbeats and claims. */
  max?: number;
  applicationName?: string;
}

/** A Prisma client over a pool the caller owns (and ends), for processes that also send plain pg statements. */
export function createDbOnPool(pool: pg.Pool): Db {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? 5,
    application_name: options.applicationName ?? 'playbuddy',
    // The timestamp columns hold UTC without a zone (as Prisma writes them), so `now()` and column defaults
    // in SQL must be evaluated in UTC too, whatever the server's own time zone is.
    options: '-c TimeZone=UTC',
  });
  return new PrismaClient({ adapter });
}
