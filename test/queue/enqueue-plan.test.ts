import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import type { Statement, TransactionPool } from '../../src/db/queryable.js';
import { enqueueJobs } from '../../src/queue/repository.js';
import { contentHash } from '../../src/queue/hash.js';

const t = testDatabase('enqueue_plan');

const BACKLOG = 20_000;
const CALL = 2_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

class Explained extends Error {
  constructor(readonly plan: PlanNode) {
    super('explained, not run');
  }
}

/** A pool whose enqueue statement is explained (as planned with its parameters) instead of run; the transaction rolls back. */
function explainingPool(pool: TransactionPool): TransactionPool {
  return {
    query: (s) => pool.query(s),
    async connect() {
      const c = await pool.connect();
      return {
        release: (err) => c.release(err),
        async query(s: Statement) {
          if (!s.text.includes('INSERT INTO "ParseJob"')) return c.query(s);
          const { rows } = await c.query({ text: `EXPLAIN (FORMAT JSON) ${s.text}`, values: s.values });
          throw new Explained((rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]!.Plan);
        },
      };
    },
  };
}

describe('bulk enqueue on a large backlog', () => {
  it('looks duplicates up through the contentHash index, so the lookup follows the call and not the backlog', async () => {
    const config = { parser: 'rules', chunkSize: 12_000 };
    // Statistics stay as the import left them (none) until the test takes them: autovacuum would take them at a
    // moment of its own choosing.
    await t.sql.query({ text: 'ALTER TABLE "ParseJob" SET (autovacuum_enabled = off)' });
    await t.sql.query({
      text: `INSERT INTO "ParseJob" (id, "rawText", filename, config, "contentHash", "updatedAt")
             SELECT gen_random_uuid()::text, 'backlog ' || g, 'backlog-' || g || '.txt', $1::jsonb, encode(sha256(('backlog ' || g)::bytea), 'hex'), now()
             FROM generate_series(1, ${BACKLOG}) g`,
      values: [JSON.stringify(config)],
    });
    // Half of the call duplicates queued jobs, half is new.
    const jobs = Array.from({ length: CALL }, (_, i) => ({ rawText: i % 2 ? `backlog ${i}` : `new ${i}`, filename: `call-${i}.txt`, config }));
    expect(contentHash('backlog 1')).toBe((await t.sql.query({ text: `SELECT "contentHash" AS h FROM "ParseJob" WHERE "rawText" = 'backlog 1'` })).rows[0].h);

    // Right after an import (no statistics yet), and once they are taken.
    for (const analyse of [false, true]) {
      if (analyse) await t.sql.query({ text: 'ANALYZE "ParseJob"' });
      const plan = await enqueueJobs(explainingPool(t.sql), jobs).then(
        () => expect.unreachable('the statement ran'),
        (err: unknown) => {
          if (err instanceof Explained) return err.plan;
          throw err;
        },
      );
      // A bitmap heap scan names no index itself: its child bitmap index scan does.
      const scans = nodes(plan).filter((n) => ['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Index Scan'].includes(n['Node Type']));
      const onParseJob = scans.filter((n) => n['Relation Name'] === 'ParseJob' || n['Index Name']?.startsWith('ParseJob_'));
      expect(onParseJob.length, `statistics taken: ${analyse}`).toBeGreaterThan(0);
      expect(onParseJob.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim()), `statistics taken: ${analyse}`).toEqual(
        onParseJob.map((n) => `${n['Node Type'] === 'Seq Scan' ? 'not a Seq Scan' : n['Node Type']} ParseJob_contentHash_idx`),
      );
    }

    // And run for real: the halves come out as duplicates and new jobs.
    const out = await enqueueJobs(t.sql, jobs);
    expect(out.filter((o) => o.kind === 'duplicate')).toHaveLength(CALL / 2);
    expect(out.filter((o) => o.kind === 'enqueued')).toHaveLength(CALL / 2);
  });
});
