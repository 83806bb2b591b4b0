import { Command, Option } from 'commander';
import { action, printJson, withSql } from './runtime.js';
import { intOption, numberOption } from './options.js';
import { shortId } from './format.js';
import { bar, progress, type Progress } from './progress.js';
import type { PlayJobConfig } from '../jobs/parse-play/config.js';
import { PARSER_NAMES, needsLlmConfig } from '../parse/parser.js';
import type { NewJob } from '../queue/jobs.js';
import type { EnqueueOutcome } from '../queue/repository.js';

interface EnqueueOptions {
  priority: number;
  maxRetries: number;
  chunkSize: number;
  parser: PlayJobConfig['parser'];
  provider?: PlayJobConfig['provider'];
  model?: string;
  baseUrl?: string;
  llmConcurrency?: number;
  maxCost?: number;
  name?: string;
  encoding?: string;
  force?: boolean;
  replace?: boolean;
  discardProgress?: boolean;
  json?: boolean;
}

type FileResult =
  | EnqueueOutcome
  | { kind: 'rejected'; filename: string; reason: string; hint?: string };

export const DEFAULT_CHUNK_SIZE = 12_000;

export function register(program: Command): void {
  program
    .command('enqueue')
    .description('queue play files (txt, md, pdf, docx; directories and globs too; - for standard input)')
    .argument('<paths...>', 'files, directories or glob patterns; - reads the text from standard input')
    .option('-p, --priority <n>', 'higher runs first', intOption(-1000, 1000), 0)
    .option('--max-retries <n>', 'retries after the first attempt', intOption(0, 100), 3)
    .option('--chunk-size <chars>', 'characters per chunk sent to the LLM (llm and hybrid; the rules parser reads the whole text at once)', intOption(500, 1_000_000), DEFAULT_CHUNK_SIZE)
    .addOption(new Option('--parser <parser>', 'how to parse').choices(PARSER_NAMES).default('rules'))
    .addOption(new Option('--provider <provider>', 'LLM provider (llm/hybrid; default $PLAYBUDDY_LLM_PROVIDER)').choices(['anthropic', 'openai', 'openai-compatible']))
    .option('--model <model>', 'LLM model id (default $PLAYBUDDY_LLM_MODEL)')
    .option('--base-url <url>', 'LLM server base URL, e.g. http://127.0.0.1:11434/v1 (default $PLAYBUDDY_LLM_BASE_URL)')
    .option('--llm-concurrency <n>', 'scenes parsed at once by the LLM', intOption(1, 64))
    .option('--max-cost <usd>', 'fail the job before its estimated LLM cost exceeds this', numberOption(0))
    .option('--name <name>', 'file name to record for text read from standard input')
    .option('--encoding <label>', 'force a text encoding, e.g. windows-1252, koi8-r, windows-1251')
    .option('-f, --force', 'enqueue even if the same text with the same settings is already queued or stored')
    .option('--replace', "the new play replaces the file's stored play (skipped when text and settings are unchanged)")
    .option('--discard-progress', "with --replace: replace the play even when app users have rehearsal progress on it, which is lost (refused otherwise)")
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Examples:
  playbuddy enqueue hamlet.txt
  playbuddy enqueue plays/ 'archive/**/*.pdf' --priority 5
  cat scene.txt | playbuddy enqueue - --name scene.txt
  playbuddy enqueue hamlet.txt --parser llm --provider anthropic --model claude-sonnet-4-5`,
    )
    .action(action(run));
}

async function run(paths: string[], opts: EnqueueOptions): Promise<number> {
  // --replace does not imply --force: a file whose text and settings are unchanged since its stored play is
  // a duplicate (the queue's one rule) and is skipped like any other.
  const force = Boolean(opts.force);
  const config = await jobConfig(opts);
  const busy = await progress('reading files', { json: opts.json });
  let outcomes: FileResult[] = [];
  let rejected: FileResult[];
  try {
    const read = await readInputs(paths, opts, busy);
    rejected = read.rejected;
    outcomes = await queue(read.prepared, config, opts, force, busy);
  } finally {
    busy.stop();
  }
  const results: FileResult[] = [...outcomes, ...rejected];
  report(results, Boolean(opts.json));
  return results.some((r) => r.kind === 'rejected') ? 1 : 0;
}

async function queue(prepared: Prepared[], config: PlayJobConfig, opts: EnqueueOptions, force: boolean, busy: Progress): Promise<FileResult[]> {
  if (prepared.length === 0) return [];
  busy.text = `queueing ${prepared.length} text${prepared.length === 1 ? '' : 's'}`;
  return withSql(
    async ({ sql }) => {
      const [{ enqueueJobs, latestCompletedPlaybook }, rehearsal] = await Promise.all([import('../queue/repository.js'), import('../store/progress.js')]);
      const jobs: NewJob[] = [];
      const refused: FileResult[] = [];
      for (const p of prepared) {
        const replacesPlaybookId = opts.replace ? await latestCompletedPlaybook(sql, p.filename) : null;
        if (replacesPlaybookId && !opts.discardProgress) {
          // Checked again when the play is stored: progress added meanwhile keeps the old play too.
          const progress = await rehearsal.progressOf(sql, replacesPlaybookId);
          if (rehearsal.hasProgress(progress)) {
            refused.push({
              kind: 'rejected',
              filename: p.filename,
              reason: `${p.filename}: the play it would replace (${replacesPlaybookId.slice(0, 8)}) holds ${rehearsal.describeProgress(progress)}, which replacing it would lose; not enqueued.`,
              hint: 'Add --discard-progress to replace it anyway, or enqueue without --replace to keep both.',
            });
            continue;
          }
        }
        const discard = replacesPlaybookId && opts.discardProgress ? { discardProgress: true } : {};
        const replace = opts.replace ? { replace: true } : {};
        jobs.push({ ...p, config: { ...config, source: p.source, ...discard, ...replace }, priority: opts.priority, maxRetries: opts.maxRetries, replacesPlaybookId });
      }
      return [...(jobs.length > 0 ? await enqueueJobs(sql, jobs, { force }) : []), ...refused];
    },
    { mode: 'write' },
  );
}

async function jobConfig(opts: EnqueueOptions): Promise<PlayJobConfig> {
  const config: PlayJobConfig = { parser: opts.parser, chunkSize: opts.chunkSize };
  if (needsLlmConfig(opts.parser)) {
    const [{ resolveLlmConfig }, { checkProviderConfig }] = await Promise.all([
      import('../config/llm.js'),
      import('../llm/providers.js'),
    ]);
    Object.assign(config, resolveLlmConfig(opts, process.env));
    // A job that can only fail for want of a key is better refused now than found failed later. Only
    // the key's presence is checked here; the worker reads the key itself when it runs the job.
    checkProviderConfig(process.env, config);
  }
  return config;
}

interface Prepared {
  rawText: string;
  filename: string;
  source: PlayJobConfig['source'];
}

async function readInputs(paths: string[], opts: EnqueueOptions, busy: Progress) {
  const [{ expandPaths }, extract] = await Promise.all([import('../files/expand.js'), import('../parse/extract/index.js')]);
  const prepared: Prepared[] = [];
  const rejected: FileResult[] = [];
  const reject = (filename: string, err: unknown) => {
    const e = err as { message?: string; hint?: string; name?: string };
    if (e?.name !== 'UserError') throw err;
    rejected.push({ kind: 'rejected', filename, reason: e.message ?? String(err), hint: e.hint });
  };

  const fileArgs = paths.filter((p) => p !== '-');
  if (paths.includes('-')) {
    const filename = opts.name ?? 'stdin.txt';
    try {
      const x = await extract.extractStream(process.stdin, filename, { encoding: opts.encoding });
      prepared.push({ rawText: x.text, filename, source: { format: x.format, encoding: x.encoding, bytes: x.bytes } });
    } catch (err) {
      reject(filename, err);
    }
  }
  const { files, misses, unreadable } = expandPaths(fileArgs, extract.PLAY_EXTENSIONS);
  for (const m of misses) rejected.push({ kind: 'rejected', filename: m.arg, reason: `${m.arg}: ${m.reason}.` });
  for (const u of unreadable) {
    rejected.push({ kind: 'rejected', filename: u.path, reason: `${u.path} cannot be read: ${u.reason}.`, hint: 'Check its permissions; the readable files beside it were still taken.' });
  }
  for (const [i, file] of files.entries()) {
    busy.text = `reading ${files.length > 1 ? `${bar(i, files.length)} ${i + 1}/${files.length} ` : ''}${file}`;
    try {
      const x = await extract.extractFile(file, { encoding: opts.encoding });
      prepared.push({ rawText: x.text, filename: file, source: { format: x.format, encoding: x.encoding, bytes: x.bytes } });
    } catch (err) {
      reject(file, err);
    }
  }
  return { prepared, rejected };
}

function report(results: FileResult[], json: boolean): void {
  if (json) {
    printJson({
      enqueued: results.filter((r) => r.kind === 'enqueued'),
      duplicates: results.filter((r) => r.kind === 'duplicate'),
      rejected: results.filter((r) => r.kind === 'rejected'),
    });
    return;
  }
  for (const r of results) {
    switch (r.kind) {
      case 'enqueued':
        console.log(`enqueued   ${shortId(r.id)}  ${r.filename}`);
        break;
      case 'duplicate':
        console.log(
          `skipped    ${shortId(r.existingId)}  ${r.filename}: the same text with the same settings is already ${r.existingStatus === 'completed' ? 'stored' : r.existingStatus} (use --force to enqueue it again)`,
        );
        break;
      case 'rejected':
        console.error(`rejected   ${r.reason}${r.hint ? `\n           hint: ${r.hint}` : ''}`);
        break;
    }
  }
  const n = (k: FileResult['kind']) => results.filter((r) => r.kind === k).length;
  if (results.length > 1) console.log(`${n('enqueued')} enqueued, ${n('duplicate')} skipped as duplicates, ${n('rejected')} rejected`);
}
