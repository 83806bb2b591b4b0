import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds on a clock every process on the machine shares (for cross-process latency). */
export const wallNow = () => performance.timeOrigin + performance.now();

/** Peak resident set (VmHWM) of a live process in MB, or null once it has exited or off Linux. */
export function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `node <args>` to completion and returns its wall time, output and peak RSS. The peak is sampled
 * while the process lives because /proc forgets it at exit; VmHWM only grows, so the last sample is the peak
 * to within one interval.
 */
export function runNode(args, { env = {}, cwd, sampleMs = 50, timeoutMs = 240_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = null;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const sample = () => {
      const v = peakRssMb(child.pid);
      if (v != null) peak = v;
    };
    const sampler = setInterval(sample, sampleMs);
    const killer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, signal, ms: performance.now() - started, stdout, stderr, peakRssMb: peak, pid: child.pid });
    });
    sample();
  });
}

/**
 * A helper process speaking JSON messages over IPC: `send` a message, `next(type)` waits for the next message
 * of that type. Used where the measurement needs a second process (another worker, a separate enqueuer).
 */
export function forkHelper(script, args = [], { env = {} } = {}) {
  const child = fork(script, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox = [];
  const waiting = [];
  let exited = null;
  child.on('message', (msg) => {
    const i = waiting.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(msg);
    else inbox.push(msg);
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} exited (${code ?? signal}) before sending "${w.type}"`));
  });
  return {
    pid: child.pid,
    send: (msg) => child.send(msg),
    next(type, timeoutMs = 120_000) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      if (exited) return Promise.reject(new Error(`${script} exited (${exited.code ?? exited.signal}) before sending "${type}"`));
      return new Promise((resolve, reject) => {
        const entry = { type, resolve, reject };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new Error(`${script} sent no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        entry.resolve = (m) => (clearTimeout(timer), resolve(m));
        entry.reject = (e) => (clearTimeout(timer), reject(e));
        waiting.push(entry);
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Helpers exit when the parent goes away, so an interrupted benchmark leaves no worker behind. */
export function exitWithParent() {
  process.on('disconnect', () => process.exit(0));
}

/** `promise`, or a rejection naming `what` after `ms`, so a stuck measurement fails instead of hanging. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
