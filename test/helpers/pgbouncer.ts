import { startPgBouncer as start, type PgBouncer } from '../../scripts/lib/pgbouncer.mjs';
import { serverUrl } from './db-names.js';

export type { PgBouncer };

/** A real PgBouncer in transaction pooling mode in front of the test server. */
export function startPgBouncer(options: { poolSize?: number } = {}): Promise<PgBouncer> {
  return start(serverUrl('postgres'), options);
}
