// What other processes do to the queue while the workers run, each a `playbuddy` command of its own:
// the feeder enqueues the run's jobs in batches; the operator races pause, cancel, resume, retry and
// `enqueue --replace` against the workers and against itself. The moments come from the seed; the jobs they
// target are drawn from the queue as it is at that moment.

export const RACES = ['pause', 'cancel', 'resume', 'retry', 'pause-cancel', 'requeue-then-retry', 'replace', 'duplicate', 'force'];

export class Operator {
  constructor({ processes, admin, random, workload, llmArgs, maxRetries, log, onEnqueued }) {
    this.onEnqueued = onEnqueued;
    this.processes = processes;
    this.admin = admin;
    this.random = random;
    this.workload = workload;
    this.llmArgs = llmArgs;
    this.maxRetries = maxRetries;
    this.log = log;
    /** Every job the run created: id → { file, parser, forced, replace }. */
    this.jobs = new Map();
    this.files = [];
    this.races = Object.fromEntries(RACES.map((k) => [k, 0]));
    this.editions = new Map();
    this.pending = new Set();
  }

  track(promise) {
    const p = promise.finally(() => this.pending.delete(p));
    this.pending.add(p);
    return p;
  }

  async settle() {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** `playbuddy enqueue --json` of `files`; records what it created. */
  async enqueue(files, parser, { force = false, replace = false } = {}) {
    const args = ['enqueue', '--json', '--max-retries', String(this.maxRetries), ...(parser === 'llm' ? this.llmArgs : [])];
    if (force) args.push('--force');
    if (replace) args.push('--replace');
    const r = await this.processes.run([...args, ...files], { label: replace ? 'enqueue --replace' : force ? 'enqueue --force' : 'enqueue' });
    let out;
    try {
      out = JSON.parse(r.stdout);
    } catch {
      return { enqueued: [], duplicates: [], failed: true };
    }
    for (const e of out.enqueued) this.jobs.set(e.id, { file: e.filename, parser, forced: force, replace });
    if (out.enqueued.length > 0) await this.onEnqueued(out.enqueued.map((e) => e.filename), parser);
    return out;
  }

  /** Enqueues `count` fresh texts of `parser` in one call. */
  async feed(count, parser) {
    const files = Array.from({ length: count }, () => this.workload.fresh(parser));
    for (const f of files) this.files.push({ file: f, parser });
    return this.enqueue(files, parser);
  }

  async #pick(statuses, { parser } = {}) {
    const { rows } = await this.admin.query(
      `SELECT id, status::text AS status, filename FROM "ParseJob" WHERE status::text = ANY($1) ORDER BY "createdAt", id`,
      [statuses],
    );
    const mine = rows.filter((r) => this.jobs.has(r.id) && (!parser || this.jobs.get(r.id).parser === parser));
    return mine.length > 0 ? this.random.pick(mine) : undefined;
  }

  control(action, ids, extra = []) {
    return this.processes.run([action, ...extra, ...ids], { label: action });
  }

  async race(kind) {
    const r = this.random;
    switch (kind) {
      case 'pause': {
        const job = await this.#pick(['running', 'queued', 'retrying']);
        if (!job) return;
        this.races[kind]++;
        await this.control('pause', [job.id]);
        // Resumed a little later, as an operator who paused to look would.
        const wait = r.int(500, 5000);
        this.track(new Promise((res) => setTimeout(res, wait)).then(() => this.control('resume', [job.id])));
        return;
      }
      case 'cancel': {
        const job = await this.#pick(['running', 'queued', 'retrying', 'paused']);
        if (!job) return;
        this.races[kind]++;
        await this.control('cancel', [job.id]);
        return;
      }
      case 'resume': {
        const job = await this.#pick(['paused']);
        if (!job) return;
        this.races[kind]++;
        await this.control('resume', [job.id]);
        return;
      }
      case 'retry': {
        const job = await this.#pick(['failed', 'cancelled']);
        if (!job) return;
        this.races[kind]++;
        await this.control('retry', [job.id], r.chance(0.3) ? ['--from-scratch'] : []);
        return;
      }
      case 'pause-cancel': {
        // Two operators at once on one running job.
        const job = await this.#pick(['running']);
        if (!job) return;
        this.races[kind]++;
        await Promise.all([this.control('pause', [job.id]), this.control('cancel', [job.id])]);
        this.track(this.control('resume', [job.id]));
        return;
      }
      case 'requeue-then-retry': {
        // Cancel a job, queue its file again (allowed: a cancelled job does not own its text), then retry
        // the cancelled one: the duplicate rule must not let both store a play.
        const job = await this.#pick(['queued', 'retrying', 'running']);
        if (!job) return;
        this.races[kind]++;
        const { parser } = this.jobs.get(job.id);
        await this.control('cancel', [job.id]);
        await this.enqueue([job.filename], parser);
        await this.control('retry', [job.id]);
        return;
      }
      case 'replace': {
        // The file changed; two imports replace it at once.
        const job = await this.#pick(['completed'], { parser: 'rules' });
        if (!job) return;
        this.races[kind]++;
        const edition = (this.editions.get(job.filename) ?? 0) + 1;
        this.editions.set(job.filename, edition);
        this.workload.edit(job.filename, edition);
        await Promise.all([this.enqueue([job.filename], 'rules', { replace: true }), this.enqueue([job.filename], 'rules', { replace: true })]);
        return;
      }
      case 'duplicate': {
        const job = await this.#pick(['queued', 'running', 'completed', 'retrying']);
        if (!job) return;
        this.races[kind]++;
        await this.enqueue([job.filename], this.jobs.get(job.id).parser);
        return;
      }
      case 'force': {
        const job = await this.#pick(['completed', 'running'], { parser: 'rules' });
        if (!job) return;
        this.races[kind]++;
        await this.enqueue([job.filename], 'rules', { force: true });
        return;
      }
    }
  }
}
