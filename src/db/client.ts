import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

export interface DbOptions {
  /** Pool size; a worker needs one per concurrent job plus a couple for heartbeats and claims. */
  max?: number;
  applicationName?: string;
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? 5,
    application_name: options.applicationName ?? 'playbuddy',
  });
  return new PrismaClient({ adapter });
}
