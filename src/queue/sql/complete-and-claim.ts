import type { Queryable } from '../../db/queryable.js';
import type { ClaimedJob, Lease } from '../jobs.js';
import { JOB_EVENTS, sqlLiteral } from '../events.js';
import { claimCtes, claimJobs, claimLimit, toClaimedJob, type ClaimRequest, type ClaimRow } from './claim.js';
import { completeJob } from './complete.js';
import { LEASE_CLEARED, holdsLease, insertEvents } from './fragments.js';

// Slots whose jobs just succeeded complete them and claim their next jobs in one round trip: one statement
// and one commit for however many jobs finished while the previous such statement was running (group
// commit: the worker batches them, see src/worker/completions.ts). Each job is fenced on its own lease and
// gets its own JobEvent; a job counts as done only once this statement has committed. The completions and
// the claim touch different rows: the finished jobs are `running`, the candidates are not. The LEFT JOIN
// returns one row even when nothing was claimed, so the completions' outcome is always known.
//
// One completion (the usual case: a batch forms only while another completion is on its way) is fenced on
// scalar parameters; several join their arrays of ids and tokens. The join costs the single case about a
// third of the statement's time (measured: 650 against 940 completions a second on one connection), so
// each shape is its own prepared statement.
// Parameters: $1 the job id (or ids), $2 its lease token (or tokens, same order), then the claim's.
function completeCtes(many: boolean): string {
  const fenced = many
    ? `FROM unnest($1::text[], $2::text[]) AS l(id, token)
  WHERE ${holdsLease('l.id', 'l.token', 'j')}`
    : `WHERE ${holdsLease('$1::text', '$2::text', 'j')}`;
  return `
done AS (
  UPDATE "ParseJob" j SET
    status = 'completed', "playbookId" = NULL, progress = 100, "completedAt" = clock_timestamp(), "updatedAt" = now(),
    "lastError" = NULL, ${LEASE_CLEARED}
  ${fenced}
  RETURNING j.id, j."retryCount"
),
done_event AS (
  ${insertEvents('id', sqlLiteral(JOB_EVENTS.completed), `jsonb_build_object('from', 'running', 'to', 'completed', 'playbookId', NULL::text, 'attempt', "retryCount" + 1)`, 'done')}
)`;
}

// The claim's LIMIT is part of the text, one prepared statement per count, for the reason given in claim.ts.
const completeAndClaimSql = (limit: number, many: boolean) => `WITH ${completeCtes(many)},
${claimCtes({ worker: '$3', limit: claimLimit(limit), lease: '$4' })}
SELECT (SELECT coalesce(array_agg(id), '{}') FROM done) AS "completedIds", c.*
FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`;

const DEADLOCK_DETECTED = '40P01';

export interface CompleteAndClaimOutcome {
  /** The jobs whose completion committed; a job missing here had lost its lease. */
  completed: Set<string>;
  jobs: ClaimedJob[];
}

/**
 * Completes jobs with no play stored (each fenced on its lease) and claims up to `limit` more.
 *
 * Doing both in one transaction can deadlock: a concurrent claimer that re-checks a row just claimed elsewhere
 * keeps its lock on that row until it commits, so two workers completing and claiming at once can each wait
 * for the other's row. PostgreSQL then aborts one statement whole (nothing of it happened), and that worker
 * falls back to separate statements: a completion alone holds no other row, and a claim alone never waits
 * (SKIP LOCKED), so neither can be part of a cycle.
 */
export async function completeAndClaim(db: Queryable, leases: Lease[], req: ClaimRequest): Promise<CompleteAndClaimOutcome> {
  try {
    const many = leases.length !== 1;
    const [ids, tokens] = many ? [leases.map((l) => l.jobId), leases.map((l) => l.leaseToken)] : [leases[0]!.jobId, leases[0]!.leaseToken];
    const { rows } = await db.query<ClaimRow & { completedIds: string[] }>({
      name: `playbuddy_complete${many ? '_many' : ''}_and_claim_${req.limit}`,
      text: completeAndClaimSql(req.limit, many),
      values: [ids, tokens, req.workerId, req.leaseMs],
    });
    return {
      completed: new Set(rows[0]?.completedIds ?? []),
      jobs: rows.filter((r) => r.id !== null).map((r) => toClaimedJob(r, req.workerId)),
    };
  } catch (err) {
    if ((err as { code?: string }).code !== DEADLOCK_DETECTED) throw err;
    const completed = new Set<string>();
    for (const lease of leases) if (await completeJob(db, lease, null)) completed.add(lease.jobId);
    return { completed, jobs: req.limit > 0 ? await claimJobs(db, req) : [] };
  }
}
