import type { Queryable } from '../db/queryable.js';
import { UserError } from '../errors.js';
import type { JobDetail } from './jobs.js';
import { ID_PREFIX } from './sql/fragments.js';
import { findJobsById } from './sql/find-jobs-by-id.js';
import { getJobById } from './sql/get-job.js';

// Reads of the queue, as plain SQL through pg, so `status` answers without starting Prisma.

export { countByStatus } from './sql/count-by-status.js';
export { jobEvents } from './sql/job-events.js';
export { listJobs } from './sql/list-jobs.js';
export { liveWorkers, type LiveWorker } from './sql/live-workers.js';
export { jobsOfPlaybooks, type StoringJob } from './sql/jobs-of-playbooks.js';
export { escapeLike, playbooksFromFiles } from './sql/playbooks-from-files.js';
export { findJobsById, type JobRef } from './sql/find-jobs-by-id.js';
export { ID_PREFIX } from './sql/fragments.js';
export { healthFacts, type HealthFacts } from './sql/health-facts.js';
export { spendPerDay, windowMetrics, type DaySpend, type WindowMetrics } from './sql/metrics.js';

/** Resolves a full id or a unique prefix of one (as `status` prints them) to the full id. */
export async function resolveJobId(db: Queryable, idOrPrefix: string): Promise<string> {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (!ID_PREFIX.test(wanted)) {
    throw new UserError(`"${idOrPrefix}" is not a job id.`, 'Job ids are shown by `playbuddy status`; 4 characters or more of one are enough.');
  }
  const found = await findJobsById(db, wanted);
  if (found.length === 0) throw new UserError(`No job has an id starting with ${wanted}.`, 'List jobs with `playbuddy status`.');
  if (found.length > 1) throw new UserError(`More than one job has an id starting with ${wanted}.`, 'Type more characters of the id.');
  return found[0]!.id;
}

export async function getJob(db: Queryable, idOrPrefix: string): Promise<JobDetail> {
  const id = await resolveJobId(db, idOrPrefix);
  const job = await getJobById(db, id);
  if (!job) throw new UserError(`No job has the id ${id}.`, 'List jobs with `playbuddy status`.');
  return job;
}
