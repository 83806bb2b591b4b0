import type { Command } from 'commander';
import { action, printJson, withSql } from './runtime.js';
import { intOption } from './options.js';
import { age, shortId, table, truncate } from './format.js';
import type { PlaySummary } from '../store/plays.js';

export function register(program: Command): void {
  const plays = program
    .command('plays')
    .description('list stored plays, newest first (`plays delete <id>` removes one)')
    .option('-n, --limit <n>', 'how many plays to list', intOption(1, 100_000), 100)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  playbuddy plays\n  playbuddy plays --json\n  playbuddy plays delete 3f2a1b9c')
    .action(
      action(async (opts: { limit: number; json?: boolean }) =>
        withSql(async ({ sql }) => {
          const { listPlays } = await import('../store/plays.js');
          const rows = await listPlays(sql, { limit: opts.limit });
          if (opts.json) return printJson(rows);
          console.log(await formatPlays(rows));
        }),
      ),
    );

  plays
    .command('delete')
    .description('delete a stored play with its characters, acts, scenes and lines')
    .argument('<id>', 'the id of the play, or of the job that stored it (a unique prefix is enough)')
    .action(
      action(async (id: string) =>
        withSql(async ({ sql }) => {
          const { deletePlay } = await import('../store/plays.js');
          const deleted = await deletePlay(sql, id);
          console.log(`deleted    ${shortId(deleted.id)}  ${deleted.title}`);
        }),
      ),
    );
}

export async function formatPlays(rows: PlaySummary[], now = new Date()): Promise<string> {
  if (rows.length === 0) return 'no stored plays (parse one with `playbuddy enqueue <file>` and `playbuddy work --drain`)';
  const head = `${rows.length} stored play${rows.length === 1 ? '' : 's'}`;
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
