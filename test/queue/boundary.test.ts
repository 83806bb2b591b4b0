import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// src/queue/ is the one door to the queue's tables: SQL naming them, or Prisma's models of them, anywhere
// else in src/ would be a second place where a job's state can change without the queue's rules (its
// events, its fencing, its notifications). The generated Prisma client is exempt: it is not written here.

const SRC = join(import.meta.dirname, '..', '..', 'src');
const ALLOWED = [join(SRC, 'queue'), join(SRC, 'generated')];

const FORBIDDEN: Array<[RegExp, string]> = [
  [/"ParseJob"/, 'the ParseJob table'],
  [/"JobEvent"/, 'the JobEvent table'],
  [/"Worker"/, 'the Worker table'],
  [/\.(parseJob|jobEvent|worker)\s*\.\s*(find|create|update|delete|upsert|count|aggregate|groupBy)\w*\s*\(/, 'a Prisma model of a queue table'],
  [/Prisma\.(ParseJob|JobEvent|Worker)\w*/, 'a Prisma type of a queue table'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return ALLOWED.includes(path) ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

describe('the queue tables', () => {
  it('are read and written only under src/queue/', () => {
    const offences: string[] = [];
    for (const file of sourceFiles(SRC)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [pattern, what] of FORBIDDEN) {
            if (pattern.test(line)) offences.push(`${relative(SRC, file)}:${i + 1} names ${what}: ${line.trim()}`);
          }
        });
    }
    expect(offences).toEqual([]);
  });

  it('the scan finds what it looks for (it would catch a stray statement)', () => {
    const stray = `await db.$queryRaw\`SELECT 1 FROM "ParseJob"\`; await db.jobEvent.create({ data });`;
    const found = FORBIDDEN.filter(([pattern]) => pattern.test(stray)).map(([, what]) => what);
    expect(found).toEqual(['the ParseJob table', 'a Prisma model of a queue table']);
  });
});
