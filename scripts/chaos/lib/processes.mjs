import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../../bench/lib/dist.mjs';

// Every playbuddy process the suite starts: workers (long-lived, killed, frozen and replaced by the driver)
// and commands (enqueue, pause, cancel, …, each a process of its own, as an operator would run them). All
// their output goes to files in the run folder, which the secret check reads afterwards.

/** Lines that only a crash prints: a raw stack frame or Node's report of an unhandled error. */
const CRASH = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$|Unhandled 'error' event|UnhandledPromiseRejection|node:internal/m;

export function looksLikeCrash(text) {
  return CRASH.test(text);
}

export class Processes {
  constructor({ runDir, cwd, env }) {
    this.runDir = runDir;
    this.cwd = cwd;
    this.env = env;
    this.commands = [];
    this.counter = 0;
    this.commandLog = createWriteStream(join(runDir, 'commands.log'));
  }

  /**
   * Runs `playbuddy <args>` to its end (or kills it after `timeoutMs`) and records it: exit code, time,
   * output, and whether the output looks like a crash.
   */
  run(args, { env = {}, timeoutMs = 120_000, label = args[0], cwd = this.cwd } = {}) {
    const n = ++this.counter;
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const record = { n, label, args, code, signal, timedOut, ms: Date.now() - started, stdout, stderr, crashed: looksLikeCrash(stderr) || looksLikeCrash(stdout) };
        this.commands.push(record);
        this.commandLog.write(`#${n} playbuddy ${args.join(' ')} → ${timedOut ? 'timed out' : code ?? signal} in ${record.ms} ms\n${stdout}${stderr}\n`);
        resolve(record);
      });
    });
  }

  /** Starts a long-lived `playbuddy <args>` whose output goes to `logName` in the run folder. */
  start(args, { env = {}, logName }) {
    const log = createWriteStream(join(this.runDir, logName));
    const child = spawn(process.execPath, [CLI, ...args], { cwd: this.cwd, env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const exited = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        log.end();
        resolve({ code, signal });
      }),
    );
    return { child, pid: child.pid, exited };
  }

  async close() {
    await new Promise((resolve) => this.commandLog.end(resolve));
  }
}
