import pg from 'pg';

// Counts and times every statement sent by this process through `pg` (Prisma's adapter and graphile-worker
// both use it), so a benchmark can say how many round trips and transactions one job costs without
// pg_stat_statements, which needs a server restart to load.

const original = pg.Client.prototype.query;
let recording = null;

pg.Client.prototype.query = function recordedQuery(config, values, callback) {
  if (!recording) return original.call(this, config, values, callback);
  const text = typeof config === 'string' ? config : config?.text;
  const params = typeof config === 'object' && config?.values ? config.values : Array.isArray(values) ? values : undefined;
  if (typeof text !== 'string') return original.call(this, config, values, callback);
  const entry = recording.get(text) ?? { text, calls: 0, ms: 0, sampleParams: params };
  recording.set(text, entry);
  entry.calls += 1;
  const started = performance.now();
  const took = () => (entry.ms += performance.now() - started);
  // pg.Pool calls client.query(text, values, callback); Prisma's adapter uses the promise form.
  if (typeof callback === 'function' || typeof values === 'function') {
    const cb = typeof callback === 'function' ? callback : values;
    const timed = (err, res) => (took(), cb(err, res));
    return typeof callback === 'function' ? original.call(this, config, values, timed) : original.call(this, config, timed);
  }
  const result = original.call(this, config, values, callback);
  if (result && typeof result.then === 'function') {
    return result.then(
      (r) => (took(), r),
      (e) => (took(), Promise.reject(e)),
    );
  }
  return result;
};

/** Prefix of the benchmark's own polling statements, which are left out of a system's profile. */
export const PROBE_MARK = '/* bench-probe */';

export function startRecording() {
  recording = new Map();
}

/** Statements seen since startRecording, most frequent first. */
export function stopRecording() {
  const entries = [...(recording?.values() ?? [])].filter((e) => !e.text.startsWith(PROBE_MARK)).sort((a, b) => b.calls - a.calls);
  recording = null;
  return entries;
}

/** Short one-line form of a statement for reports. */
export function shortSql(text, max = 140) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
