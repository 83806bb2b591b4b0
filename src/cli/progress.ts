import type { Ora } from 'ora';

// Spinners and bars only where a person watches: standard error is a terminal, the output is not meant for
// a program (--json), and neither CI nor NO_COLOR (https://no-color.org) nor TERM=dumb says otherwise.
// Everywhere else a command prints plain lines, or nothing more than it always did.

export function interactive(options: { json?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  if (options.json) return false;
  if (!process.stderr.isTTY) return false;
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

/** A started spinner on standard error, or undefined where none belongs (see interactive()). */
export async function spinner(text: string, options: { json?: boolean } = {}): Promise<Ora | undefined> {
  if (!interactive(options)) return undefined;
  const { default: ora } = await import('ora');
  return ora({ text, stream: process.stderr, isEnabled: true, discardStdin: false }).start();
}

/** `[██████░░░░] 60%` — a bar for work whose size is known. */
export function bar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(fraction * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)} ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}
