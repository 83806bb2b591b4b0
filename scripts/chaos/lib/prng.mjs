// A small seeded PRNG (mulberry32), so a run's workload and the moments and targets of its faults follow from
// its seed: the same seed replays the same schedule. Each concern draws from a stream of its own (derived from
// the seed and a label), so adding a draw in one place does not shift the others.

export function seededRandom(seed, label = '') {
  let a = (seed ^ hashLabel(label)) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [min, max]. */
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    /** A number in [min, max). */
    between: (min, max) => min + next() * (max - min),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    /** A key of `weights` drawn in proportion to its weight. */
    weighted(weights) {
      const entries = Object.entries(weights).filter(([, w]) => w > 0);
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [key, w] of entries) if ((r -= w) < 0) return key;
      return entries.at(-1)?.[0];
    },
  };
}

function hashLabel(label) {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return h >>> 0;
}
