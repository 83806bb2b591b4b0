import type { Command } from 'commander';
import { action, printJson, withSql } from './runtime.js';
import { intOption } from './options.js';
import { age, shortId, table, truncate } from './format.js';
import type { PlayFilter, PlaySummary } from '../store/plays.js';
import { UserError } from '../errors.js';

export function register(program: Command): void {
  const plays = program
    .command('plays')
    .description('list stored plays, newest first (`plays delete <id>` removes one)')
    .option('-n, --limit <n>', 'how many plays to list', intOption(1, 100_000), 100)
    .option('-t, --title <text>', 'only plays whose title contains this (case aside)')
    .option('-a, --author <text>', 'only plays whose author contains this')
    .option('-f, --file <text>', 'only plays stored from a file whose name contains this')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  playbuddy plays
  playbuddy plays --author shakespeare --limit 10
  playbuddy plays --file archive/ --json
  playbuddy plays delete 3f2a1b9c`,
    )
    .action(
      action(async (opts: { limit: number; json?: boolean } & PlayFilter) =>
        withSql(async ({ sql }) => {
          const { countPlays, listPlays } = await import('../store/plays.js');
          const filter = { title: opts.title, author: opts.author, file: opts.file };
          const [rows, total] = await Promise.all([listPlays(sql, { limit: opts.limit, ...filter }), countPlays(sql, filter)]);
          if (opts.json) return printJson(rows);
          const filtered = Object.values(filter).some((v) => v !== undefined);
          console.log(await formatPlays(rows, new Date(), total, filtered));
        }),
      ),
    );

  plays
    .command('delete')
    .description('delete a stored play with its characters, acts, scenes and lines (asks first on a terminal)')
    .argument('<id>', 'the id of the play, or of the job that stored it (a unique prefix is enough)')
    .option('-y, --yes', 'do not ask; needed where nobody can answer (a script, a pipe)')
    .option('--discard-progress', 'also when app users have rehearsal progress on it, which is deleted with it (refused otherwise; --yes never implies it)')
    .addHelpText(
      'after',
      `
--yes only skips the question: it never implies any other flag of this command. A play that app users have
rehearsal progress on is deleted only with --discard-progress.

Examples:
  playbuddy plays delete 3f2a1b9c            # asks "Delete …? [y/N]"
  playbuddy plays delete 3f2a1b9c --yes      # from a script
  playbuddy plays delete 3f2a1b9c --yes --discard-progress`,
    )
    .action(
      action(async (id: string, opts: { yes?: boolean; discardProgress?: boolean }) =>
        withSql(async ({ sql }) => {
          const [{ deletePlay, playHeading, resolvePlay }, { describeProgress, hasProgress }] = await Promise.all([
            import('../store/plays.js'),
            import('../store/progress.js'),
          ]);
          if (!opts.yes) {
            const { playbookId } = await resolvePlay(sql, id);
            const play = await playHeading(sql, playbookId);
            if (!play) throw new UserError(`The play ${shortId(playbookId)} was deleted just now.`);
            const what = `"${play.title}"${play.author ? ` by ${play.author}` : ''} (${shortId(playbookId)})`;
            if (!(await confirm(`Delete ${what} with all its lines? [y/N] `))) {
              console.log(`kept       ${shortId(playbookId)}  ${play.title}`);
              return;
            }
            id = playbookId;
          }
          const deleted = await deletePlay(sql, id, { discardProgress: opts.discardProgress });
          console.log(`deleted    ${shortId(deleted.id)}  ${deleted.title}`);
          if (hasProgress(deleted.progress)) console.log(`           with ${describeProgress(deleted.progress)}`);
        }),
      ),
    );
}

/** Asks on the terminal; where nobody can answer, refuses rather than guess. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UserError('Deleting a play needs a yes, and there is no terminal to ask on.', 'Pass --yes to delete without asking.');
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function formatPlays(rows: PlaySummary[], now = new Date(), total = rows.length, filtered = false): Promise<string> {
  if (rows.length === 0) {
    return filtered ? 'no stored play matches' : 'no stored plays (parse one with `playbuddy enqueue <file>` and `playbuddy work --drain`)';
  }
  const plays = (n: number) => `${n} stored play${n === 1 ? '' : 's'}`;
  const matching = filtered ? (total === 1 ? ' matches' : ' match') : '';
  const head =
    total > rows.length
      ? filtered
        ? `${plays(total)}${matching}; the newest ${rows.length} shown (--limit shows more)`
        : `the newest ${rows.length} of ${plays(total)} (--limit shows more)`
      : `${plays(rows.length)}${matching}`;
  return (
    head +
    '\n' +
    (await table(
      ['id', 'title', 'author', 'characters', 'lines', 'job', 'file', 'stored'],
      rows.map((p) => [
        shortId(p.id),
        truncate(p.title, 40),
        truncate(p.author, 24),
        p.characters,
        p.lines,
        p.jobId ? shortId(p.jobId) : '-',
        truncate(p.filename, 28),
        `${p.createdAt.toISOString().slice(0, 10)} (${age(p.createdAt, now)} ago)`,
      ]),
    ))
  );
}
