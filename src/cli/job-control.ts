import type { Command } from 'commander';
import { action, printJson, withSql } from './runtime.js';
import { UserError } from '../errors.js';
import { shortId } from './format.js';
import type { ControlAction, ControlOptions, ControlOutcome } from '../queue/control.js';

// What cancel, pause, resume and retry share: resolve the ids, apply the action job by job, print one line
// per job, and exit non-zero when any job was refused.

const DONE: Record<ControlAction, string> = { cancel: 'cancelled', pause: 'paused', resume: 'resumed', retry: 'retried' };

export interface ControlCommandOptions extends ControlOptions {
  json?: boolean;
  allFailed?: boolean;
}

export function controlCommand(program: Command, name: ControlAction, description: string) {
  return program
    .command(name)
    .description(description)
    .option('--json', 'print the outcome per job as JSON');
}

export const runControl = (name: ControlAction) =>
  action(async (ids: string[], opts: ControlCommandOptions) => {
    if (ids.length === 0 && !opts.allFailed) throw new UserError(`Name the jobs to ${name}.`, 'Job ids are shown by `playbuddy status`; `playbuddy retry --all-failed` retries every failed job.');
    return withSql(async ({ sql }) => {
      const control = await import('../queue/control.js');
      const targets = opts.allFailed ? [...new Set([...ids, ...(await control.failedJobIds(sql))])] : ids;
      if (targets.length === 0) {
        if (opts.json) printJson([]);
        else console.log('no failed jobs to retry');
        return 0;
      }
      const outcomes = await control.controlJobs(sql, name, targets, { fromScratch: opts.fromScratch, force: opts.force });
      report(name, outcomes, Boolean(opts.json));
      return outcomes.some((o) => !o.ok) ? 1 : 0;
    });
  });

function report(name: ControlAction, outcomes: ControlOutcome[], json: boolean): void {
  if (json) return printJson(outcomes);
  const width = Math.max(...Object.values(DONE).map((v) => v.length), 'refused'.length);
  for (const o of outcomes) {
    if (o.ok) {
      const why = [`was ${o.from}`, o.note].filter(Boolean).join('; ');
      console.log(`${DONE[name].padEnd(width)}  ${shortId(o.id)}  ${o.filename} (${why})`);
    } else {
      console.error(`${'refused'.padEnd(width)}  ${o.id ? shortId(o.id) : o.input.padEnd(8)}  ${o.message}`);
      if (o.hint) console.error(`${' '.repeat(width + 12)}hint: ${o.hint}`);
    }
  }
  if (outcomes.length > 1) {
    const refused = outcomes.filter((o) => !o.ok).length;
    console.log(`${outcomes.length - refused} ${DONE[name]}, ${refused} refused`);
  }
}
