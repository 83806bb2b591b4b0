import type { Command } from 'commander';
import { action, printJson } from './runtime.js';
import { PermanentError, UserError } from '../errors.js';

interface ParseOptions {
  json?: boolean;
  encoding?: string;
}

export function register(program: Command): void {
  program
    .command('parse')
    .description('parse a play file with the built-in parser and print it, without the database')
    .argument('<file>', 'a .txt, .md, .pdf or .docx play')
    .option('--json', 'print the play as JSON (the shape `export` writes)')
    .option('--encoding <label>', 'force a text encoding, e.g. windows-1252, koi8-r, windows-1251')
    .addHelpText('after', '\nExamples:\n  playbuddy parse hamlet.txt\n  playbuddy parse hamlet.pdf --json > hamlet.json')
    .action(action(run));
}

async function run(file: string, opts: ParseOptions): Promise<void> {
  const [{ extractFile }, { loadParser }, { runPipeline }, { NOT_A_PLAY_HINT, isNotAPlay, notAPlayHint }] = await Promise.all([
    import('../parse/extract/index.js'),
    import('../parse/pipeline/registry.js'),
    import('../parse/pipeline/run.js'),
    import('../parse/not-a-play.js'),
  ]);
  const { text, encoding } = await extractFile(file, { encoding: opts.encoding });
  // The same path a job takes, minus the checkpoints and the database, so this prints what `export` will.
  const outcome = await runPipeline({ text, filename: file, config: { parser: 'rules', chunkSize: text.length || 1 }, parser: await loadParser('rules') }).catch(
    (err: unknown) => {
      if (err instanceof PermanentError) throw new UserError(`${file}: ${err.message}`, isNotAPlay(err.message) ? notAPlayHint(text, encoding) : NOT_A_PLAY_HINT);
      throw err;
    },
  );
  for (const repair of outcome.repairs.slice(0, 5)) process.stderr.write(`note: ${repair}\n`);
  if (outcome.repairs.length > 5) process.stderr.write(`note: and ${outcome.repairs.length - 5} more repairs\n`);
  if (opts.json) return printJson(outcome.play);
  const { formatPlaySummary } = await import('../parse/summary.js');
  console.log(formatPlaySummary(outcome.play));
}
