import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { register as registerDb } from './db.js';
import { register as registerEnqueue } from './enqueue.js';
import { register as registerStatus } from './status.js';
import { register as registerWork } from './work.js';
import { register as registerCancel } from './cancel.js';
import { register as registerPause } from './pause.js';
import { register as registerResume } from './resume.js';
import { register as registerRetry } from './retry.js';
import { register as registerMigrateSessions } from './migrate-sessions.js';
import { register as registerParse } from './parse.js';
import { register as registerShow } from './show.js';
import { register as registerExport } from './export.js';
import { register as registerPlays } from './plays.js';
import { register as registerCompletion } from './completion.js';
import { register as registerHealth } from './health.js';
import { register as registerMetrics } from './metrics.js';
import { register as registerPrune } from './prune.js';

// Only commander and the command definitions load here; each command imports what it needs (Prisma,
// parsers, the AI SDK) when it runs, which keeps `playbuddy --help` fast.

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('playbuddy')
  .description('Turn theatre play scripts into structured playbooks in PostgreSQL, through a durable job queue.')
  .version(pkg.version)
  .option('-v, --verbose', 'show debug logs and stack traces')
  .addOption(new Option('--log-format <format>', 'log output (default: pretty on a terminal, json when piped)').choices(['pretty', 'json']))
  .addOption(new Option('--log-level <level>', 'minimum log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false });

registerEnqueue(program);
registerStatus(program);
registerWork(program);
registerCancel(program);
registerPause(program);
registerResume(program);
registerRetry(program);
registerShow(program);
registerExport(program);
registerPlays(program);
registerParse(program);
registerDb(program);
registerMigrateSessions(program);
registerHealth(program);
registerMetrics(program);
registerPrune(program);
registerCompletion(program);

// `playbuddy show … | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

await program.parseAsync(process.argv);
