import type { Queryable } from '../../db/queryable.js';

// A NOTIFY inside the caller's transaction, delivered at commit (so a listener only hears of committed
// changes). Selected FROM the function so the row has a column every client can read: Prisma's raw queries
// cannot read pg_notify's `void`.
const NOTIFY_SQL = `SELECT 1 AS sent FROM pg_notify($1, $2)`;

export async function notify(tx: Queryable, channel: string, payload = ''): Promise<void> {
  await tx.query({ text: NOTIFY_SQL, values: [channel, payload] });
}
