import type { Command } from 'commander';
import { action, commandLogger, globalOptions, printJson, withDb } from './runtime.js';
import { bar, interactive, progress } from './progress.js';
import { intOption } from './options.js';
import { table, truncate } from './format.js';
import { DEFAULT_CHUNK_SIZE } from './enqueue.js';
import type { MigrationReport } from '../legacy/report.js';
import { UserError } from '../errors.js';

interface MigrateSessionsOptions {
  batchSize: number;
  chunkSize: number;
  dryRun?: boolean;
  failFast?: boolean;
  deleteMigrated?: boolean;
  json?: boolean;
}

// Problem sessions printed in the text output; --json lists them all.
const LISTED = 20;

export function register(program: Command): void {
  program
    .command('migrate-sessions')
    .description("move the old app's parsing sessions into the job queue (safe to run again)")
    .option('-b, --batch-size <n>', 'sessions read and written per transaction', intOption(1, 10_000), 500)
    .option('--chunk-size <chars>', 'characters per parse chunk for the migrated jobs', intOption(500, 1_000_000), DEFAULT_CHUNK_SIZE)
    .option('-n, --dry-run', 'count what would be migrated and what cannot be, and write nothing')
    .option('--fail-fast', 'stop at the first batch that fails (default: report it and go on)')
    .option('--delete-migrated', 'delete each session once its job is committed')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Stop the old app first: its unfinished sessions (pending, warming, parsing) become queued jobs that workers
start over from the first chunk.

Examples:
  playbuddy migrate-sessions --dry-run
  playbuddy migrate-sessions
  playbuddy migrate-sessions --batch-size 200 --fail-fast --delete-migrated`,
    )
    .action(action(run));
}

async function run(opts: MigrateSessionsOptions, cmd: Command): Promise<number> {
  const busy = await progress('counting sessions', { json: opts.json });
  // On a terminal the bar says what the per-batch log lines would; warnings still show.
  const g = globalOptions(cmd);
  const log = await commandLogger(cmd, 'migrate-sessions', interactive(opts) && !g.logLevel && !g.verbose ? 'warn' : undefined);
  let notAdopted = false;
  const report = await withDb(async ({ db, behind }) => {
    const [{ migrateSessions }, { countSessions, hasSessionTable }] = await Promise.all([import('../legacy/migrate.js'), import('../legacy/read.js')]);
    notAdopted = behind;
    if (!(await hasSessionTable(db))) {
      throw new UserError(
        'This database has no ParsingSession table, so there are no sessions of the old app to migrate.',
        "Point DATABASE_URL at the theatre-play-buddy app's database.",
      );
    }
    const source = behind ? 'not-adopted' : 'adopted';
    const { total, unfinishedNotMigrated } = await countSessions(db, source);
    if (unfinishedNotMigrated > 0) {
      log.warn(
        { sessions: unfinishedNotMigrated },
        `${unfinishedNotMigrated} unfinished session(s) (pending, warming, parsing) will become queued jobs: make sure the old app is stopped, or both will parse them`,
      );
    }
    return migrateSessions(db, {
      batchSize: opts.batchSize,
      parse: { parser: 'rules', chunkSize: opts.chunkSize },
      dryRun: opts.dryRun,
      source,
      failFast: opts.failFast,
      deleteMigrated: opts.deleteMigrated,
      onBatch: (r) => {
        busy.text = `${opts.dryRun ? 'checking' : 'migrating'} sessions ${bar(r.sessions, total)} ${r.sessions.toLocaleString('en')} of ${total.toLocaleString('en')}`;
        log.info({ read: r.sessions, total, migrated: r.migrated, failed: r.failed }, `read ${r.sessions} of ${total} sessions`);
      },
    });
  }, { mode: opts.dryRun ? 'read' : 'write', allowBehind: true }).finally(() => busy.stop());
  if (opts.json) printJson({ ...report, databaseAdopted: !notAdopted });
  else console.log(await describe(report));
  if (notAdopted && !opts.json) {
    console.log("This database does not have playbuddy's tables yet: run `playbuddy db migrate` (or migrate-sessions without --dry-run, which does it first); it only adds what is missing.");
  }
  return report.failedBatches.length > 0 ? 1 : 0;
}

async function describe(r: MigrationReport): Promise<string> {
  const out: string[] = [];
  if (r.dryRun) out.push('Dry run: nothing was written.');
  const n = (x: number) => x.toLocaleString('en');
  const summary: Array<[string, number]> = [
    [r.dryRun ? 'would be migrated' : 'migrated', r.migrated],
    ...(r.dryRun ? [] : ([['  of which cancelled as duplicates of existing jobs', r.duplicates]] as Array<[string, number]>)),
    ['skipped, already migrated', r.alreadyMigrated],
    ['cannot be migrated', r.unmigratable.length],
  ];
  if (!r.dryRun) summary.push(['failed (rolled back; run again)', r.failed]);
  summary.push(['will start over from the first chunk', r.restarting], ['  of which with an unreadable context', r.unreadableContexts.length]);
  if (r.deleted > 0) summary.push(['sessions deleted', r.deleted]);
  out.push(await table(['sessions', n(r.sessions)], summary.map(([k, v]) => [k, n(v)])));

  if (r.transitions.length > 0) {
    out.push(await table(['old status', 'new status', 'sessions'], r.transitions.map((t) => [t.from, t.to, n(t.sessions)])));
  }
  if (r.unmigratable.length > 0) {
    out.push('Cannot be migrated (left in place):');
    out.push(await table(['session', 'file', 'status', 'why'], r.unmigratable.slice(0, LISTED).map((u) => [u.sessionId, truncate(u.filename, 32), u.status, u.reason])));
    if (r.unmigratable.length > LISTED) out.push(`… and ${n(r.unmigratable.length - LISTED)} more (--json lists them all)`);
  }
  if (r.unreadableContexts.length > 0) {
    out.push(`Saved context is not a JSON object (${r.dryRun ? 'will be' : 'was'} migrated as is; the job starts over):`);
    out.push(...r.unreadableContexts.slice(0, LISTED).map((u) => `  ${u.sessionId}  ${u.status}  ${u.filename}`));
    if (r.unreadableContexts.length > LISTED) out.push(`  … and ${n(r.unreadableContexts.length - LISTED)} more (--json lists them all)`);
  }
  for (const b of r.failedBatches) {
    out.push(`error: batch ${b.firstSessionId} … ${b.lastSessionId} (${n(b.sessions)} sessions) failed to ${b.stage === 'write' ? 'migrate and was rolled back' : 'delete its sessions'}: ${b.error}`);
  }
  if (r.stopped) out.push('Stopped at the failed batch (--fail-fast); later sessions were not read. Run again to continue.');
  return out.join('\n');
}
