import type { Command } from 'commander';
import { action, withSql } from './runtime.js';
import { UserError } from '../errors.js';

export function register(program: Command): void {
  program
    .command('export')
    .description('write a stored play as JSON, in the shape `playbuddy parse --json` prints')
    .argument('<id>', 'the id of the play, or of the job that stored it (a unique prefix is enough)')
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .addHelpText('after', '\nExamples:\n  playbuddy export 3f2a1b9c > hamlet.json\n  playbuddy export 3f2a1b9c --out hamlet.json')
    .action(
      action(async (id: string, opts: { out?: string }) => {
        const json = await withSql(async ({ sql }) => {
          const [{ resolvePlay }, { loadPlay }] = await Promise.all([import('../store/plays.js'), import('../store/load-play.js')]);
          const { playbookId } = await resolvePlay(sql, id);
          const play = await loadPlay(sql, playbookId);
          if (!play) throw new UserError(`The play ${playbookId.slice(0, 8)} was deleted just now.`);
          return JSON.stringify(play, null, 2) + '\n';
        });
        if (!opts.out) {
          process.stdout.write(json);
          return;
        }
        const { writeFile } = await import('node:fs/promises');
        await writeFile(opts.out, json).catch((err: NodeJS.ErrnoException) => {
          throw new UserError(`Cannot write ${opts.out}: ${err.code === 'ENOENT' ? 'its folder does not exist' : err.message}.`);
        });
        process.stderr.write(`wrote ${opts.out} (${json.length.toLocaleString('en')} bytes)\n`);
      }),
    );
}
