import type { Command } from 'commander';
import { action, printJson } from './runtime.js';
import { progress } from './progress.js';

export function register(program: Command): void {
  const db = program.command('db').description('inspect and migrate the database schema');

  db.command('migrate')
    .description("bring the database to playbuddy's schema, adding only what is missing (enqueue, work and migrate-sessions do this on their own)")
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  playbuddy db migrate
  DATABASE_URL=postgresql://app@db.internal/theatre playbuddy db migrate --json`,
    )
    .action(
      action(async (opts: { json?: boolean }) => {
        const { resolveDatabaseTarget, redactUrl } = await import('../config/database.js');
        const { ensureDatabase } = await import('../db/server.js');
        const { prepareTarget } = await import('../db/open.js');
        const target = resolveDatabaseTarget();
        const url = target.url;
        const busy = await progress('applying migrations', { json: opts.json });
        const { created, run } = await (async () => {
          const { created } = target.direct ? await ensureDatabase(target.direct) : { created: false };
          return { created, run: await prepareTarget(target) };
        })().finally(() => busy.stop());
        if (opts.json) return printJson({ database: redactUrl(url), created, ...run });
        if (created) console.log(`created database ${redactUrl(url)}`);
        for (const name of run.carriedOver) console.log(`recorded ${name}  (applied by an earlier playbuddy)`);
        for (const name of run.applied) console.log(`applied  ${name}`);
        for (const what of run.actions) console.log(`  ${what}`);
        if (run.applied.length === 0 && run.carriedOver.length === 0) console.log('the database is up to date; nothing to apply.');
      }),
    );

  db.command('status')
    .description('list applied and pending migrations (changes nothing)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Changes nothing. Exit code 1 when a migration was changed after it was applied.

Examples:
  playbuddy db status
  playbuddy db status --json | jq '.pending'`,
    )
    .action(
      action(async (opts: { json?: boolean }) => {
        const { resolveDatabaseUrl, redactUrl } = await import('../config/database.js');
        const { readMigrationStatus } = await import('../db/open.js');
        const url = resolveDatabaseUrl();
        const st = await readMigrationStatus(url);
        if (opts.json) return printJson({ database: redactUrl(url), ...st });
        console.log(`database: ${redactUrl(url)}${st.appDatabase ? "  (the theatre-play-buddy app's database)" : ''}`);
        for (const m of st.applied) {
          const notes = [m.modified ? 'changed since it was applied!' : '', m.carriedOver ? 'applied by an earlier playbuddy' : ''].filter(Boolean);
          console.log(`  applied  ${m.name}${notes.length ? `  (${notes.join('; ')})` : ''}`);
        }
        for (const name of st.pending) {
          console.log(`  pending  ${name}`);
          for (const what of st.pendingDrops[name] ?? []) console.log(`    ${what}`);
        }
        for (const name of st.unknown) console.log(`  unknown  ${name}  (not in this version of playbuddy)`);
        console.log(
          st.pending.length
            ? `${st.pending.length} pending: run \`playbuddy db migrate\` (it only adds what is missing, and drops only what playbuddy itself added; enqueue, work and migrate-sessions also do it).`
            : 'up to date.',
        );
        return st.applied.some((m) => m.modified) ? 1 : 0;
      }),
    );
}
