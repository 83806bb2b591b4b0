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

export interface Progress {
  /** What the spinner says; kept even before it shows. */
  text: string;
  /** Clears the spinner (if it ever showed) so the command's own output follows on a clean line. */
  stop(): void;
}

/**
 * A spinner that shows only if the work takes longer than `afterMs`: a quick command prints nothing extra,
 * a slow one (many files, a large PDF, a long migration) shows that it is busy and with what.
 */
export async function progress(text: string, options: { json?: boolean; afterMs?: number } = {}): Promise<Progress> {
  const state = { text, spin: undefined as Ora | undefined, stopped: false };
  let timer: NodeJS.Timeout | undefined;
  if (interactive(options)) {
    const { default: ora } = await import('ora');
    timer = setTimeout(() => {
      if (!state.stopped) state.spin = ora({ text: state.text, stream: process.stderr, isEnabled: true, discardStdin: false }).start();
    }, options.afterMs ?? 300);
    timer.unref();
  }
  return {
    get text() {
      return state.text;
    },
    set text(value: string) {
      state.text = value;
      if (state.spin) state.spin.text = value;
    },
    stop() {
      state.stopped = true;
      clearTimeout(timer);
      state.spin?.stop();
    },
  };
}

/** `██████░░░░  60%` — a bar for work whose size is known. */
export function bar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(fraction * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)} ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}
