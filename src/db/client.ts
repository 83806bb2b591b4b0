import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { clientClass } from './pool.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

export interface DbOptions {
  /** Pool size; a worker needs one per concurrent job plus a couple for heartbeats and claims. */
  max?: number;
  applicationName?: string;
  /** Through a transaction pooler (see PoolOptions.pooled). */
  pooled?: boolean;
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
    Client: clientClass(options.pooled),
  });
  return new PrismaClient({ adapter });
}
