// Nearest-rank percentiles: every reported value is one that was actually observed, which keeps small
// samples (3 runs, 200 latencies) honest.

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export const median = (values) => percentile(values, 50);

export function spread(values) {
  if (values.length === 0) return { median: null, p95: null, min: null, max: null, n: 0 };
  return {
    median: median(values),
    p95: percentile(values, 95),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

export function round(value, digits = 1) {
  if (value == null || !Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Seeded generator, so every run waits the same pseudo-random gaps between single enqueues. */
export function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}
