import type { Command } from 'commander';
import { loadDotEnv } from '../config/env.js';
import { UserError, errorMessage } from '../errors.js';
import type { Db } from '../db/client.js';
import type pg from 'pg';
import type { DatabaseTarget } from '../config/database.js';
import type { Logger, LogFormat } from '../log/logger.js';

// What every subcommand shares: global flags, error reporting, the database and the logger. Heavy modules
// (Prisma, pino) are imported here lazily so `playbuddy --help` stays fast.

export interface GlobalOptions {
  verbose?: boolean;
  logFormat?: LogFormat;
  logLevel?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** The command failed, or rejected some of its input. (Commander itself exits 1 on bad usage.) */
export const EXIT_FAILED = 1;

/**
 * Runs a command body: a UserError prints one sentence and a hint, anything else a short message (the stack
 * only with --verbose); both exit non-zero.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const verbose = Boolean(globalOptions(cmd).verbose);
    try {
      loadDotEnv();
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      reportError(err, verbose);
      process.exitCode = EXIT_FAILED;
    }
  };
}

export function reportError(err: unknown, verbose: boolean): void {
  const out = process.stderr;
  if (err instanceof UserError) {
    out.write(`error: ${err.message}\n`);
    if (err.hint) out.write(`hint: ${err.hint}\n`);
  } else {
    out.write(`error: ${errorMessage(err)}\n`);
    if (!verbose) out.write('hint: run again with --verbose for details.\n');
  }
  if (verbose && err instanceof Error && err.stack) out.write(`${err.stack}\n`);
  if (verbose && err instanceof Error && err.cause instanceof Error && err.cause.stack) out.write(`caused by: ${err.cause.stack}\n`);
}

export interface DbSession {
  db: Db;
  url: string;
  /** Migrations still pending (only with `allowBehind`): the database has not been adopted yet. */
  behind: boolean;
}

export interface OpenOptions {
  poolMax?: number;
  /**
   * `write`: bring the schema up to date first (creating the database if the server allows): enqueue, work,
   * migrate-sessions, db migrate. `read` (the default): change nothing, and say what to run when the
   * database is missing or behind.
   */
  mode?: 'read' | 'write';
  /** With `read`: go on when migrations are pending, for a command that can still report what it can. */
  allowBehind?: boolean;
}

/** Whether migrations are still pending afterwards. Reading works through a pooler; migrating does not (see prepareTarget). */
async function prepare(target: DatabaseTarget, options: OpenOptions): Promise<boolean> {
  const open = await import('../db/open.js');
  const url = target.direct ?? target.url;
  if (options.mode === 'write') {
    await open.prepareTarget(target);
    return false;
  }
  if (!options.allowBehind) {
    await open.requireMigratedDatabase(url);
    return false;
  }
  return (await open.readMigrationStatus(url)).pending.length > 0;
}

/** Opens the database (see OpenOptions.mode), runs `fn`, and always disconnects. */
export async function withDb<T>(fn: (s: DbSession) => Promise<T>, options: OpenOptions = {}): Promise<T> {
  const [{ resolveDatabaseTarget }, { createDb }] = await Promise.all([import('../config/database.js'), import('../db/client.js')]);
  const target = resolveDatabaseTarget();
  const { url, pooled } = target;
  const behind = await prepare(target, options);
  const db = createDb(url, { max: options.poolMax, pooled });
  try {
    return await fn({ db, url, behind });
  } catch (err) {
    throw await asUserFacing(err, url);
  } finally {
    await db.$disconnect().catch(() => {});
  }
}

/** Like withDb, over a plain pg pool: for commands that skip Prisma's start-up. */
export async function withSql<T>(fn: (s: { sql: pg.Pool; url: string }) => Promise<T>, options: Pick<OpenOptions, 'mode'> = {}): Promise<T> {
  const [{ resolveDatabaseTarget }, { createPool }] = await Promise.all([import('../config/database.js'), import('../db/pool.js')]);
  const target = resolveDatabaseTarget();
  const { url, pooled } = target;
  await prepare(target, options);
  const pool = createPool(url, { pooled });
  try {
    return await fn({ sql: pool, url });
  } catch (err) {
    throw await asUserFacing(err, url);
  } finally {
    await pool.end().catch(() => {});
  }
}

/** A lost connection in the middle of a command gets a sentence about the connection, not the query. */
async function asUserFacing(err: unknown, url: string): Promise<unknown> {
  if (err instanceof UserError) return err;
  const [{ lostConnection }, { connectionError }] = await Promise.all([import('../db/errors.js'), import('../db/server.js')]);
  const code = (err as { code?: string })?.code;
  return code === 'ECONNREFUSED' || lostConnection(err) ? connectionError(url, err) : err;
}

export async function commandLogger(cmd: Command, name?: string, defaultLevel?: string): Promise<Logger> {
  const { createLogger } = await import('../log/logger.js');
  const g = globalOptions(cmd);
  return createLogger({ format: g.logFormat, level: g.logLevel ?? (g.verbose ? 'debug' : defaultLevel), name });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
