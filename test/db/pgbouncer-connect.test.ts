import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';

let bouncer: PgBouncer;
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase('pgb_connect');
  bouncer = await startPgBouncer({ poolSize: 2 });
});

afterAll(async () => {
  await bouncer?.stop();
  await tdb?.drop();
});

describe('connections through a stock PgBouncer in transaction mode', () => {
  it('connect without startup options the pooler refuses, in UTC', async () => {
    const pool = createPool(bouncer.url(tdb.name), { pooled: true });
    try {
      const r = await pool.query('SHOW TimeZone');
      expect(r.rows[0].TimeZone).toBe('UTC');
    } finally {
      await pool.end();
    }
  });

  it('send named statements unnamed, so many clients can share two server connections', async () => {
    const pool = createPool(bouncer.url(tdb.name), { pooled: true, max: 12 });
    try {
      const runs = Array.from({ length: 60 }, (_, i) =>
        pool.query({ name: `pb_stmt_${i % 3}`, text: 'SELECT $1::int AS n, pg_backend_pid() AS pid', values: [i] }),
      );
      const results = await Promise.all(runs);
      expect(results.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    } finally {
      await pool.end();
    }
  });
});
