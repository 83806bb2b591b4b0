// The fault driver: at moments drawn from the seed, it kills workers (and starts new ones), freezes one past
// its lease, cuts workers off from PostgreSQL through the proxy (drop, blackhole, partition, refuse — one
// worker or all), and terminates backends. Targets are drawn from the same stream when the fault fires.

export const DB_FAULTS = ['kill', 'freeze', 'drop', 'blackhole', 'partition', 'refuse', 'terminate', 'drop-all', 'refuse-all'];

/** The fault moments of a run: for each kind, a Poisson process at its rate over the chaos phase. */
export function faultSchedule(random, faultsPerMinute, chaosMs) {
  const events = [];
  for (const kind of DB_FAULTS) {
    const perMs = (faultsPerMinute[kind] ?? 0) / 60_000;
    if (perMs <= 0) continue;
    for (let t = -Math.log(1 - random.next()) / perMs; t < chaosMs; t += -Math.log(1 - random.next()) / perMs) events.push({ at: Math.round(t), kind });
  }
  return events.sort((a, b) => a.at - b.at);
}

export class Driver {
  constructor({ workers, proxy, admin, database, random, settings, targetWorkers, log }) {
    this.workers = workers;
    this.proxy = proxy;
    this.admin = admin;
    this.database = database;
    this.random = random;
    this.settings = settings;
    this.targetWorkers = targetWorkers;
    this.log = log;
    this.injected = Object.fromEntries(DB_FAULTS.map((k) => [k, 0]));
    this.globalFaults = 0;
    this.pending = new Set();
  }

  /** True while nothing cuts every worker off at once (the time stuck jobs are measured in). */
  get databaseReachable() {
    return this.globalFaults === 0;
  }

  /** Waits (up to `ms`) until every running worker has registered, so the first faults hit working ones. */
  async untilRegistered(ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const { rows } = await this.admin.query(`SELECT pid FROM "Worker" WHERE "stoppedAt" IS NULL`);
      const pids = new Set(rows.map((w) => w.pid));
      if (this.workers.alive().every((w) => pids.has(w.pid))) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Keeps `targetWorkers` workers running: replaces those killed or gone. */
  async topUp() {
    while (this.workers.alive().length < this.targetWorkers) await this.workers.spawn();
  }

  later(ms, fn) {
    const p = new Promise((resolve) => setTimeout(resolve, ms)).then(fn).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async fire(kind) {
    const r = this.random;
    const { leaseMs } = this.settings;
    // Faults hit a worker that is up and connected when there is one; else one registered; else any.
    const registered = new Set((await this.admin.query(`SELECT pid FROM "Worker" WHERE "stoppedAt" IS NULL`)).rows.map((w) => w.pid));
    const live = this.workers.alive().filter((w) => !w.frozen && !w.cutOff);
    const up = live.filter((w) => registered.has(w.pid));
    const connected = up.filter((w) => this.proxy.connections(w.name) > 0);
    const choices = [connected, up, live].find((list) => list.length > 0);
    const target = choices ? r.pick(choices) : undefined;
    const needsTarget = ['kill', 'freeze', 'drop', 'blackhole', 'partition', 'refuse'].includes(kind);
    if (needsTarget && !target) {
      this.log(`${kind}: every worker is already down, frozen or cut off`);
      return;
    }
    this.injected[kind]++;
    switch (kind) {
      case 'kill': {
        this.log(`kill -9 ${target.name} (pid ${target.pid})`);
        this.workers.kill(target);
        // A replacement comes up a moment later, as a supervisor would start it.
        this.later(r.int(100, 1500), () => this.topUp());
        return;
      }
      case 'freeze': {
        const ms = leaseMs + r.int(500, 2500);
        this.log(`SIGSTOP ${target.name} for ${ms} ms (lease ${leaseMs} ms)`);
        this.workers.freeze(target);
        this.later(ms, () => this.workers.thaw(target));
        return;
      }
      case 'drop': {
        // Half the time when the worker is in the middle of a statement or transaction.
        if (r.chance(0.5)) await this.busyBackend(target.app, 3000);
        const n = this.proxy.drop(target.name);
        this.log(`drop ${n} connection(s) of ${target.name}`);
        return;
      }
      case 'blackhole':
      case 'partition':
      case 'refuse': {
        // A partition outlasts the stuck-job allowance: what the backend left behind must be cleaned up by the
        // server's own limits, not by the network coming back.
        const ms = kind === 'partition' ? this.settings.allowanceMs + r.int(4000, 8000) : kind === 'blackhole' ? r.int(1000, leaseMs * 2) : r.int(1000, 4000);
        this.log(`${kind} ${target.name} for ${ms} ms`);
        target.cutOff = true;
        if (kind === 'blackhole') this.proxy.blackhole(target.name);
        else if (kind === 'partition') this.proxy.partition(target.name);
        else await this.proxy.refuse(target.name);
        this.later(ms, async () => {
          target.cutOff = false;
          await this.proxy.heal(target.name);
        });
        return;
      }
      case 'terminate': {
        // Mostly a backend in the middle of something (a statement running, a transaction open), where it
        // hurts most: it waits up to 10 s for one to appear (workers may all be restarting or cut off).
        const busy = r.chance(0.8);
        const victim = (busy ? await this.busyBackend(null, 10_000) : undefined) ?? r.pick(await this.backends(null, false));
        if (!victim) {
          this.injected[kind]--;
          this.log('terminate: no worker backend to terminate');
          return;
        }
        await this.admin.query('SELECT pg_terminate_backend($1)', [victim.pid]);
        this.log(`pg_terminate_backend ${victim.pid} (${victim.app}, ${victim.state})`);
        return;
      }
      case 'drop-all': {
        const n = this.proxy.drop();
        this.log(`drop all ${n} worker connections`);
        return;
      }
      case 'refuse-all': {
        const ms = r.int(1000, 3000);
        this.log(`refuse all connections for ${ms} ms`);
        this.globalFaults++;
        await this.proxy.refuse();
        this.later(ms, async () => {
          await this.proxy.heal();
          this.globalFaults--;
        });
        return;
      }
    }
  }

  /** Worker backends (of `app`, or of every worker), only those doing something when `busy`. */
  async backends(app, busy) {
    const { rows } = await this.admin.query(
      `SELECT pid, application_name AS app, state, xact_start < query_start AS multi FROM pg_stat_activity
       WHERE datname = $1 AND application_name LIKE $2 ${busy ? `AND state IN ('active', 'idle in transaction')` : ''} ORDER BY pid`,
      [this.database, app ?? 'chaos-w%'],
    );
    return rows;
  }

  /**
   * A busy worker backend, polled for up to `ms`; undefined if none turned up. One inside a transaction of
   * several statements (storing a play) is preferred over one running a single statement (a claim, a renewal).
   */
  async busyBackend(app, ms) {
    const until = Date.now() + ms;
    do {
      const rows = await this.backends(app, true);
      const inTransaction = rows.filter((b) => b.multi);
      if (inTransaction.length > 0) return this.random.pick(inTransaction);
      if (rows.length > 0 && until - Date.now() < ms / 2) return this.random.pick(rows);
      await new Promise((resolve) => setTimeout(resolve, 25));
    } while (Date.now() < until);
    return undefined;
  }

  /** Ends every fault: heals the proxy, thaws frozen workers, and waits for pending restarts. */
  async healAll() {
    await Promise.allSettled([...this.pending]);
    await this.proxy.heal();
    for (const w of this.workers.slots) {
      this.workers.thaw(w);
      w.cutOff = false;
    }
    await this.topUp();
  }
}
