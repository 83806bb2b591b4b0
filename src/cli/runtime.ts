import type { Command } from 'commander';
import { loadDotEnv } from '../config/env.js';
import { UserError, errorMessage } from '../errors.js';
import type { Db } from '../db/client.js';
import type pg from 'pg';
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
}

/** Opens the database (created and migrated if needed), runs `fn`, and always disconnects. */
export async function withDb<T>(fn: (s: DbSession) => Promise<T>, options: { poolMax?: number } = {}): Promise<T> {
  const [{ resolveDatabaseTarget }, { openDatabase }] = await Promise.all([import('../config/database.js'), import('../db/open.js')]);
  const { url, pooled } = resolveDatabaseTarget();
  const db = await openDatabase(url, { max: options.poolMax, pooled });
  try {
    return await fn({ db, url });
  } catch (err) {
    throw await asUserFacing(err, url);
  } finally {
    await db.$disconnect().catch(() => {});
  }
}

/** Like withDb, over a plain pg pool: for commands that only read, so they skip Prisma's start-up. */
export async function withSql<T>(fn: (s: { sql: pg.Pool; url: string }) => Promise<T>): Promise<T> {
  const [{ resolveDatabaseTarget }, { prepareDatabase }, { createPool }] = await Promise.all([
    import('../config/database.js'),
    import('../db/open.js'),
    import('../db/pool.js'),
  ]);
  const { url, pooled } = resolveDatabaseTarget();
  await prepareDatabase(url);
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
