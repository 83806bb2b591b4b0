import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeCrash } from './processes.mjs';
import { urlVia } from './database.mjs';

// The worker processes: `playbuddy work` each, connected to the database through a proxy port of its own
// and under the application name chaos-w<slot>, so the audit can tell which process wrote what. The driver
// kills, freezes and replaces them; anything else that ends a worker is recorded as an unexpected exit.

export class WorkerPool {
  constructor({ processes, proxy, url, workArgs, env }) {
    this.processes = processes;
    this.proxy = proxy;
    this.url = url;
    this.workArgs = workArgs;
    this.env = env;
    this.slots = [];
    this.nextSlot = 1;
  }

  async spawn() {
    const slot = this.nextSlot++;
    const name = `w${slot}`;
    const port = await this.proxy.open(name);
    const app = `chaos-${name}`;
    const logName = `worker-${name}.log`;
    const proc = this.processes.start(['--log-format', 'json', 'work', ...this.workArgs], {
      env: { ...this.env, DATABASE_URL: urlVia(this.url, port, app) },
      logName,
    });
    const w = { slot, name, app, pid: proc.pid, child: proc.child, logName, startedAt: Date.now(), frozen: false, cutOff: false, ending: null, exit: null };
    this.slots.push(w);
    proc.exited.then((exit) => {
      w.exit = exit;
      w.endedAt = Date.now();
      void this.proxy.close(name);
    });
    return w;
  }

  alive() {
    return this.slots.filter((w) => !w.exit && !w.ending);
  }

  /** Alive, not frozen and not cut off from the database: able to claim and recover jobs. */
  healthy() {
    return this.alive().filter((w) => !w.frozen && !w.cutOff);
  }

  kill(w) {
    w.ending = 'killed';
    if (w.frozen) w.frozen = false;
    w.child.kill('SIGKILL');
  }

  freeze(w) {
    w.frozen = true;
    w.child.kill('SIGSTOP');
  }

  thaw(w) {
    if (!w.frozen) return;
    w.frozen = false;
    if (!w.exit) w.child.kill('SIGCONT');
  }

  /** Stops every worker as an operator would (SIGTERM), then SIGKILLs any still there after `graceMs`. */
  async stopAll(graceMs) {
    const live = this.slots.filter((w) => !w.exit);
    for (const w of live) {
      this.thaw(w);
      w.ending ??= 'stopped';
      w.child.kill('SIGTERM');
    }
    const deadline = Date.now() + graceMs;
    while (live.some((w) => !w.exit) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const w of live.filter((x) => !x.exit)) {
      w.lingered = true;
      w.child.kill('SIGKILL');
    }
    while (live.some((w) => !w.exit)) await new Promise((r) => setTimeout(r, 50));
  }

  /**
   * Workers that ended without being told to, or that did not stop on SIGTERM, or whose log shows a crash.
   * A worker that could not even start because the database was unreachable at that moment exits 1 with a
   * sentence; that is what a user should see, so it is counted apart, not as a crash.
   */
  report(runDir) {
    const unexpected = [];
    let refusedAtStart = 0;
    for (const w of this.slots) {
      const log = readFileSync(join(runDir, w.logName), 'utf8');
      const started = log.includes('"worker started"');
      const crashed = looksLikeCrash(log.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
      if (w.ending === 'killed' && !crashed) continue;
      if (w.ending === 'stopped' && w.exit?.code === 0 && !w.lingered && !crashed) continue;
      if (!w.ending && !started && w.exit?.code === 1 && !crashed) {
        refusedAtStart++;
        continue;
      }
      unexpected.push({ worker: w.name, pid: w.pid, exit: w.exit, lingered: Boolean(w.lingered), crashed, tail: log.split('\n').slice(-6).join('\n') });
    }
    return { unexpected, refusedAtStart };
  }
}
