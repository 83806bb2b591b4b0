import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';

// Parsers for commander options: a bad value stops the command with one sentence naming the flag (commander
// adds the flag's name to the message) before anything touches the database.

export function intOption(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${n}.`);
    return n;
  };
}

export function durationOption(minMs = 1) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === null) throw new InvalidArgumentError(`expected a duration such as 500ms, 30s, 10m or 30d, got "${value}".`);
    if (ms < minMs) throw new InvalidArgumentError(`must be at least ${minMs}ms.`);
    return ms;
  };
}

export function numberOption(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`expected a number of at least ${min}, got "${value}".`);
    return n;
  };
}

/** For repeatable flags: `--status failed --status queued` or `--status failed,queued`. */
export function listOption(allowed: readonly string[]) {
  return (value: string, previous: string[] = []): string[] => {
    const items = value.split(',').map((v) => v.trim()).filter(Boolean);
    for (const item of items) {
      if (!allowed.includes(item)) throw new InvalidArgumentError(`"${item}" is not one of ${allowed.join(', ')}.`);
    }
    return [...previous, ...items];
  };
}
