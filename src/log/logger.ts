import type { Logger } from 'pino';

export type LogFormat = 'pretty' | 'json';
export type { Logger };

// Anything that may carry a secret is censored wherever it appears in a log object; connection strings are
// also scrubbed by redactUrl before they are logged.
const REDACT = [
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * pino to stderr (stdout stays for command output such as --json): pretty on a terminal, JSON lines when
 * piped or asked for. pino-pretty is only loaded when it is used.
 */
export async function createLogger(options: { format?: LogFormat; level?: string; name?: string } = {}): Promise<Logger> {
  const { pino } = await import('pino');
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const base = { level: options.level ?? 'info', name: options.name ?? 'playbuddy', redact: { paths: REDACT, censor: '[redacted]' } };
  if (format === 'json') return pino(base, pino.destination({ fd: 2, sync: false }));
  const { default: pretty } = await import('pino-pretty');
  // Through process.stderr rather than its file descriptor: a spinner (ora) on the same terminal then clears
  // its line before a log line and draws itself again below it.
  return pino(base, pretty({ destination: process.stderr, colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', sync: true }));
}
