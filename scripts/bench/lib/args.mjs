import { parseArgs } from 'node:util';

/** The flags every benchmark shares. */
export function benchArgs(extra = {}) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
      ...extra,
    },
    allowPositionals: false,
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
    console.error(`--runs must be a whole number from 1 to 20, not "${values.runs}"`);
    process.exit(2);
  }
  return { ...values, runs };
}
