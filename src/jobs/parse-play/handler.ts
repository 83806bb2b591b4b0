import type { Logger } from '../../log/logger.js';
import type { PlayParser } from '../../parse/parser.js';
import type { ParsedPlay } from '../../parse/play.js';
import { loadParser } from '../../parse/pipeline/registry.js';
import { runPipeline } from '../../parse/pipeline/run.js';
import { isNotAPlay, notAPlayHint } from '../../parse/not-a-play.js';
import { PermanentError } from '../../errors.js';
import { titleFromFilename } from '../../parse/pipeline/validate.js';
import { JOB_EVENTS } from '../../queue/events.js';
import { storePlay, type StoredPlay } from '../../store/store-play.js';
import { writeEvent } from '../../queue/lease.js';
import type { JobHandler } from '../../worker/handler.js';
import { parseConfigOf, type PlayJobConfig, type PlayMetadata } from './config.js';
import { parsingPercent, progressReporter } from './progress.js';

// The PARSE_PLAY job: the parse pipeline (parse/) run under the worker's lease, its play kept by the store
// (store/) in the transaction that completes the job.

export interface ParseJobHandlerDeps {
  log: Logger;
  /** Finds the parser a job's config names; the registry unless a test brings its own. */
  loadParser?: (name: string) => Promise<PlayParser>;
}

/**
 * What the worker runs for a PARSE_PLAY job: the pipeline with the job's checkpoints, then the play stored
 * in the transaction that completes the job (and deletes the play it replaces, for `enqueue --replace`).
 */
export function createParseJobHandler(deps: ParseJobHandlerDeps): JobHandler {
  return async (job, ctx) => {
    const config = parseConfigOf(job.config);
    const parser = await (deps.loadParser ?? loadParser)(config.parser);
    const started = performance.now();
    const progress = progressReporter(ctx);
    const outcome = await runPipeline(
      { text: job.rawText, filename: job.filename, config, parser, savedState: job.currentState, spentCostUsd: job.spentCostUsd },
      {
        signal: ctx.signal,
        checkpoint: async (cp) => {
          await ctx.checkpoint({ ...cp, progress: parsingPercent(cp.progress), stage: 'parsing' });
          progress.checkpointed();
        },
        parsing: (done) => progress.parsing(done),
        usage: (usage) => ctx.addUsage(usage),
        resumed: (details) => ctx.event(JOB_EVENTS.resumedFromCheckpoint, details),
        restarted: (details) => ctx.event(JOB_EVENTS.restarted, details),
        requestRetried: (details) => ctx.event(JOB_EVENTS.llmRetry, details),
      },
    ).catch(async (err: unknown) => {
      await progress.idle();
      // The same hint `parse` gives, kept with the job's failure where `status` shows it.
      if (err instanceof PermanentError && isNotAPlay(err.message)) {
        const encoding = (job.config as PlayJobConfig | null)?.source?.encoding ?? undefined;
        throw new PermanentError(`${err.message}. ${notAPlayHint(job.rawText, encoding)}`, { cause: err });
      }
      throw err;
    });
    const play = withMetadata(outcome.play, job.filename, (job.config as PlayJobConfig | null)?.metadata);
    if (outcome.repairs.length > 0) {
      await ctx.event(JOB_EVENTS.repaired, { count: outcome.repairs.length, repairs: outcome.repairs.slice(0, 20) });
    }
    const parsedMs = performance.now() - started;
    await progress.storing();
    let stored: StoredPlay | undefined;
    await ctx.complete(async (tx) => {
      const config = job.config as PlayJobConfig | null;
      stored = await storePlay(tx, play, { replacesPlaybookId: job.replacesPlaybookId, discardProgress: config?.discardProgress });
      if (stored.keptForProgress) {
        // In the completing transaction, so the job's history says why two plays of this text now exist.
        await writeEvent(tx, { jobId: job.id, leaseToken: job.leaseToken }, JOB_EVENTS.keptReplacedPlay, {
          playbookId: stored.keptForProgress.playbookId,
          reason: 'app users have rehearsal progress on it',
          ...stored.keptForProgress.progress,
        });
      }
      return { playbookId: stored.playbookId };
    });
    deps.log.info(
      {
        jobId: job.id,
        playbookId: stored?.playbookId,
        lines: stored?.lines,
        links: stored?.links,
        replaced: stored?.replaced,
        keptForProgress: stored?.keptForProgress,
        parsedChunks: outcome.parsedChunks,
        totalChunks: outcome.totalChunks,
        parseMs: Math.round(parsedMs),
        storeMs: Math.round(performance.now() - started - parsedMs),
      },
      'play stored',
    );
  };
}

/**
 * What the text did not say, taken from what was known before parsing (a migrated session's metadata). The
 * text wins where it has an answer; a title that is only the file name does not count as one.
 */
function withMetadata(play: ParsedPlay, filename: string, metadata: PlayMetadata | undefined): ParsedPlay {
  if (!metadata) return play;
  return {
    ...play,
    title: metadata.title && play.title === titleFromFilename(filename) ? metadata.title : play.title,
    author: play.author || metadata.author || '',
    year: play.year ?? metadata.year ?? null,
    genre: play.genre ?? metadata.genre ?? null,
    description: play.description ?? metadata.description ?? null,
  };
}
