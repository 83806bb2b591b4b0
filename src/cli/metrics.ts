import { Command, Option } from 'commander';
import { action, printJson, withSql } from './runtime.js';
import { durationOption, intOption } from './options.js';
import { formatDuration } from '../config/duration.js';
import { JOB_STATUSES } from '../queue/states.js';

// `playbuddy metrics`: the queue in numbers, for a person (text), a script (--json) or a scraper
// (--prometheus, the text exposition format, e.g. through node_exporter's textfile collector).

interface MetricsOptions {
  window: number;
  days: number;
  json?: boolean;
  prometheus?: boolean;
}

export function register(program: Command): void {
  program
    .command('metrics')
    .description('queue depth, throughput, durations, failure rate, and LLM tokens and cost per day')
    .addOption(new Option('--window <duration>', 'how far back throughput, durations and failure rate look').argParser(durationOption(60_000)).default(60 * 60_000, '1h'))
    .option('--days <n>', 'days of token and cost totals, today included', intOption(1, 366), 7)
    .addOption(new Option('--json', 'print JSON').conflicts('prometheus'))
    .option('--prometheus', 'print the Prometheus text format')
    .addHelpText(
      'after',
      `
Examples:
  playbuddy metrics
  playbuddy metrics --window 24h --json
  playbuddy metrics --prometheus > /var/lib/node_exporter/textfile/playbuddy.prom`,
    )
    .action(
      action(async (opts: MetricsOptions) =>
        withSql(async ({ sql }) => {
          const { countByStatus, spendPerDay, windowMetrics } = await import('../queue/reads.js');
          const [depth, window, spend] = await Promise.all([countByStatus(sql), windowMetrics(sql, opts.window), spendPerDay(sql, opts.days)]);
          const finished = window.completed + window.failed;
          const m = {
            depth,
            window: {
              seconds: opts.window / 1000,
              completed: window.completed,
              failed: window.failed,
              jobsPerMinute: round(window.completed / (opts.window / 60_000), 2),
              completedLastMinute: window.completedLastMinute,
              durationP50Ms: window.p50Ms === null ? null : Math.round(window.p50Ms),
              durationP95Ms: window.p95Ms === null ? null : Math.round(window.p95Ms),
              failureRate: finished > 0 ? round(window.failed / finished, 4) : 0,
            },
            llmPerDay: spend.map((d) => ({ ...d, costUsd: round(d.costUsd, 4) })),
          };
          if (opts.json) return printJson(m);
          if (opts.prometheus) return void process.stdout.write(prometheus(m));
          console.log(text(m, opts.window));
        }),
      ),
    );
}

type Metrics = {
  depth: Record<string, number>;
  window: { seconds: number; completed: number; failed: number; jobsPerMinute: number; completedLastMinute: number; durationP50Ms: number | null; durationP95Ms: number | null; failureRate: number };
  llmPerDay: Array<{ day: string; inputTokens: number; outputTokens: number; costUsd: number }>;
};

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function text(m: Metrics, windowMs: number): string {
  const w = m.window;
  const ms = (v: number | null) => (v === null ? '-' : formatDuration(v));
  const lines = [
    `queue: ${JOB_STATUSES.map((s) => `${s} ${m.depth[s] ?? 0}`).join(' · ')}`,
    `last ${formatDuration(windowMs)}: ${w.completed} completed, ${w.failed} failed (failure rate ${Math.round(w.failureRate * 100)}%), ` +
      `${w.jobsPerMinute} jobs/min (${w.completedLastMinute} in the last minute); duration p50 ${ms(w.durationP50Ms)}, p95 ${ms(w.durationP95Ms)}`,
  ];
  if (m.llmPerDay.length === 0) lines.push('LLM: no tokens used in this period');
  for (const d of m.llmPerDay) {
    lines.push(`LLM ${d.day}: ${d.inputTokens.toLocaleString('en')} tokens in, ${d.outputTokens.toLocaleString('en')} out, ~$${d.costUsd.toFixed(2)}`);
  }
  return lines.join('\n');
}

function prometheus(m: Metrics): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, samples: Array<[string, number | null]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) if (value !== null) out.push(`${name}${labels} ${value}`);
  };
  metric('playbuddy_jobs', 'gauge', 'Jobs in the queue by status.', JOB_STATUSES.map((s) => [`{status="${s}"}`, m.depth[s] ?? 0]));
  const w = m.window;
  const win = `{window_seconds="${w.seconds}"}`;
  metric('playbuddy_jobs_finished', 'gauge', 'Jobs finished within the window, by outcome.', [[`{outcome="completed",window_seconds="${w.seconds}"}`, w.completed], [`{outcome="failed",window_seconds="${w.seconds}"}`, w.failed]]);
  metric('playbuddy_jobs_per_minute', 'gauge', 'Completed jobs per minute over the window.', [[win, w.jobsPerMinute]]);
  metric('playbuddy_job_duration_seconds', 'gauge', 'Completed jobs from first start to completion, over the window.', [
    [`{quantile="0.5",window_seconds="${w.seconds}"}`, w.durationP50Ms === null ? null : w.durationP50Ms / 1000],
    [`{quantile="0.95",window_seconds="${w.seconds}"}`, w.durationP95Ms === null ? null : w.durationP95Ms / 1000],
  ]);
  metric('playbuddy_failure_ratio', 'gauge', 'Failed share of the jobs finished within the window.', [[win, w.failureRate]]);
  const today = m.llmPerDay.at(-1);
  const isToday = today?.day === new Date().toISOString().slice(0, 10);
  metric('playbuddy_llm_tokens_today', 'gauge', 'LLM tokens of the jobs finished today (UTC).', [
    ['{direction="input"}', isToday ? today!.inputTokens : 0],
    ['{direction="output"}', isToday ? today!.outputTokens : 0],
  ]);
  metric('playbuddy_llm_cost_usd_today', 'gauge', 'Estimated LLM cost of the jobs finished today (UTC).', [['', isToday ? today!.costUsd : 0]]);
  return out.join('\n') + '\n';
}
