// The queue's side of `migrate-sessions`: statements that write jobs from legacy ParsingSession rows or read
// those rows together with the jobs made from them (src/legacy/ decides what each session becomes).

export { insertMigratedJobs, type InsertedJob, type MigratedJobRow } from './sql/migrate-insert-jobs.js';
export { deleteMigratedSessions } from './sql/migrate-delete-sessions.js';
export { readSessionPage, type LegacySessionRow } from './sql/migrate-session-page.js';
export { countSessions } from './sql/migrate-count-sessions.js';
