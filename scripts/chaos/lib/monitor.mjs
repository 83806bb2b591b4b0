// Watches, twice a second, for jobs left `running` after their lease expired, for worker transactions left
// open and idle (a frozen or vanished worker's backend holding the job's row lock), and for operator commands
// waiting on a lock (an operator's command must answer, not wait for a worker).
//
// Jobs left `running` without a live holder: recovery is due once the lease
// plus one poll interval has passed, provided some worker could do it: one that is alive, not frozen, not
// cut off, with a free slot, while the database is reachable. Only such time counts towards a job's overdue
// time; a job overdue for longer than the allowance is stuck.

export class StuckMonitor {
  constructor({ admin, workers, driver, settings, allowanceMs }) {
    this.admin = admin;
    this.workers = workers;
    this.driver = driver;
    this.settings = settings;
    this.allowanceMs = allowanceMs;
    this.overdue = new Map();
    this.worstMs = 0;
    this.samples = 0;
    this.stuck = new Map();
    this.idleInTransaction = new Map();
    this.lockWaits = new Map();
    this.timer = null;
  }

  start() {
    let last = Date.now();
    const tick = async () => {
      const now = Date.now();
      const dt = now - last;
      last = now;
      try {
        await this.sample(dt);
      } catch {
        // The admin connection is never cut off; a failed sample is just skipped.
      }
      if (this.timer !== null) this.timer = setTimeout(tick, 500);
    };
    this.timer = setTimeout(tick, 500);
  }

  async stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  async sample(dt) {
    this.samples++;
    const { rows } = await this.admin.query(
      `SELECT j.id, j."workerId" AS worker, w.pid,
              extract(epoch FROM ((now() AT TIME ZONE 'UTC') - j."lockExpiry")) * 1000 AS "pastMs"
       FROM "ParseJob" j LEFT JOIN "Worker" w ON w.id = j."workerId" WHERE j.status = 'running'`,
    );
    // Only workers that got as far as registering can claim; one still starting up cannot recover anything.
    const registered = new Set((await this.admin.query(`SELECT pid FROM "Worker" WHERE "stoppedAt" IS NULL`)).rows.map((r) => r.pid));
    const healthyPids = new Set(this.workers.healthy().map((w) => w.pid).filter((pid) => registered.has(pid)));
    const busy = new Map();
    for (const r of rows) if (r.pastMs < 0 && r.pid) busy.set(r.pid, (busy.get(r.pid) ?? 0) + 1);
    const canRecover = this.driver.databaseReachable && [...healthyPids].some((pid) => (busy.get(pid) ?? 0) < this.settings.concurrency);
    const due = new Set();
    const liveHolders = new Set(this.workers.healthy().map((w) => w.pid));
    for (const r of rows) {
      // A holder that is alive and connected may be slow (a long parse on a busy machine); it renews late
      // or finds its lease taken. Only a job whose holder died, froze or was cut off can be stuck.
      if (r.pastMs <= this.settings.pollMs || liveHolders.has(r.pid)) continue;
      due.add(r.id);
      const ms = (this.overdue.get(r.id) ?? 0) + (canRecover ? dt : 0);
      this.overdue.set(r.id, ms);
      this.worstMs = Math.max(this.worstMs, ms);
      if (ms > this.allowanceMs) this.stuck.set(r.id, { worker: r.worker, overdueMs: Math.round(ms) });
    }
    for (const id of this.overdue.keys()) if (!due.has(id)) this.overdue.delete(id);

    const { rows: backends } = await this.admin.query(
      `SELECT pid, application_name AS app, state, wait_event_type AS wait, left(query, 120) AS query,
              extract(epoch FROM now() - state_change) * 1000 AS "stateMs", extract(epoch FROM now() - query_start) * 1000 AS "queryMs"
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    for (const b of backends) {
      if (b.app.startsWith('chaos-w') && b.state === 'idle in transaction' && b.stateMs > this.allowanceMs) {
        this.idleInTransaction.set(b.pid, { app: b.app, ms: Math.round(Math.max(b.stateMs, this.idleInTransaction.get(b.pid)?.ms ?? 0)), query: b.query });
      }
      if (b.app === 'chaos-ctl' && b.state === 'active' && b.wait === 'Lock') {
        const key = `${b.pid}`;
        this.lockWaits.set(key, { ms: Math.round(Math.max(b.queryMs, this.lockWaits.get(key)?.ms ?? 0)), query: b.query });
      }
    }
  }
}
