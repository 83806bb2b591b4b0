import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { waitFor } from './wait.js';

// A real terminal for tests of what a person sees: tmux on a server socket of its own (never the user's),
// without their configuration. capture-pane shows the screen as it is now, after every cursor movement
// and erase, so a view that redraws in place reads as one screen, not as a stream of frames.

export interface Terminal {
  /** Types keys as tmux send-keys names them (`C-c`, `Enter`) or literal text with `{ literal: true }`. */
  send(keys: string[], options?: { literal?: boolean }): void;
  /** The visible screen, lines joined with \n, trailing spaces trimmed. */
  screen(): string;
  /** Waits until the screen matches; returns it. */
  waitForScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Whether the pane's program is still running (false once it has exited). */
  alive(): boolean;
  /** Whether the terminal is in the alternate screen or has its cursor hidden (a program left it so). */
  modes(): { alternateScreen: boolean; cursorVisible: boolean };
  close(): void;
}

// Conventions by which a program learns that nobody watches it. The suite itself may run under them (CI
// sets CI), but a terminal opened here stands for a person at one; a test that wants them sets them itself.
const UNWATCHED = ['CI', 'NO_COLOR', 'FORCE_COLOR', 'NODE_DISABLE_COLORS'];

export function openTerminal(command: string, options: { env?: NodeJS.ProcessEnv; width?: number; height?: number; cwd?: string } = {}): Terminal {
  const socket = `pbtest-${randomBytes(4).toString('hex')}`;
  // The tmux server, started by the first command, hands its own environment to the pane.
  const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !UNWATCHED.includes(k)));
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...serverEnv, ...options.env } });
  const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`]));
  tmux(
    'new-session', '-d', '-s', 'main', '-x', String(options.width ?? 120), '-y', String(options.height ?? 40),
    ...(options.cwd ? ['-c', options.cwd] : []), ...envArgs,
    // A shell around the command keeps the pane open after it exits, so its last screen can be read.
    `${command}; echo "[exit $?]"; sleep 600`,
  );
  tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
  const terminal: Terminal = {
    send(keys, o = {}) {
      tmux('send-keys', '-t', 'main', ...(o.literal ? ['-l'] : []), ...keys);
    },
    screen() {
      return tmux('capture-pane', '-p', '-t', 'main')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
        .trimEnd();
    },
    waitForScreen(pattern, timeoutMs = 20_000) {
      return waitFor(`the terminal to show ${pattern}`, async () => {
        const s = terminal.screen();
        return pattern.test(s) ? s : undefined;
      }, timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}; the screen was:\n${terminal.screen()}`);
      });
    },
    alive() {
      return !/\[exit \d+\]/.test(terminal.screen());
    },
    modes() {
      const [alt, cursor] = tmux('display-message', '-p', '-t', 'main', '#{alternate_on} #{cursor_flag}').trim().split(' ');
      return { alternateScreen: alt === '1', cursorVisible: cursor === '1' };
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
  return terminal;
}
