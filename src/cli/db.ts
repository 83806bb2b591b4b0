import type { Command } from 'commander';
import { action, printJson } from './runtime.js';
import { progress } from './progress.js';

export function register(program: Command): void {
  const db = program.command('db').description('inspect and migrate the database schema');

  db.command('migrate')
    .description('apply pending migrations (every command also does this on its own)')
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
        const { resolveDatabaseUrl, redactUrl } = await import('../config/database.js');
        const { ensureDatabase } = await import('../db/server.js');
        const { applyPendingMigrations } = await import('../db/migrate.js');
        const url = resolveDatabaseUrl();
        const busy = await progress('applying migrations', { json: opts.json });
        const { created, applied } = await (async () => {
          const { created } = await ensureDatabase(url);
          return { created, applied: await applyPendingMigrations(url) };
        })().finally(() => busy.stop());
        if (opts.json) return printJson({ database: redactUrl(url), created, applied });
        if (created) console.log(`created database ${redactUrl(url)}`);
        if (applied.length === 0) console.log('the database is up to date; nothing to apply.');
        for (const name of applied) console.log(`applied ${name}`);
      }),
    );

  db.command('status')
    .description('list applied and pending migrations')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Exit code 1 when a migration failed or was changed after it was applied.

Examples:
  playbuddy db status
  playbuddy db status --json | jq '.pending'`,
    )
    .action(
      action(async (opts: { json?: boolean }) => {
        const { resolveDatabaseUrl, redactUrl } = await import('../config/database.js');
        const { ensureDatabase } = await import('../db/server.js');
        const { migrationStatus } = await import('../db/migrate.js');
        const url = resolveDatabaseUrl();
        await ensureDatabase(url);
        const st = await migrationStatus(url);
        if (opts.json) return printJson({ database: redactUrl(url), ...st });
        console.log(`database: ${redactUrl(url)}`);
        for (const m of st.applied) console.log(`  applied  ${m.name}${m.modified ? '  (changed since it was applied!)' : ''}`);
        for (const name of st.pending) console.log(`  pending  ${name}`);
        for (const name of st.failed) console.log(`  FAILED   ${name}`);
        for (const name of st.unknown) console.log(`  unknown  ${name}  (not in this version of playbuddy)`);
        console.log(
          st.pending.length ? `${st.pending.length} pending: run \`playbuddy db migrate\` (any other command also applies them).` : 'up to date.',
        );
        return st.failed.length || st.applied.some((m) => m.modified) ? 1 : 0;
      }),
    );
}
