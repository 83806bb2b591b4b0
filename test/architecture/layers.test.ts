import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers of ARCHITECTURE.md, enforced: every relative import in src/ (static or dynamic) must lead to the
// importer's own layer or one the table lets it import. The table is read from ARCHITECTURE.md itself, so the
// document and the code cannot disagree; a file that belongs to no layer fails too, so a new folder gets its
// place, and the table itself must have no cycle, so it stays a stack.

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

interface Layer {
  name: string;
  paths: string[];
  /** The layers it may import besides its own. */
  uses: string[];
}

function layers(): Layer[] {
  const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('ARCHITECTURE.md has no ```layers block');
  return block
    .trim()
    .split('\n')
    .map((line) => {
      const [name, ...rest] = line.trim().split(/\s+/);
      return { name: name!, paths: rest.filter((w) => w.startsWith('src/')), uses: rest.filter((w) => !w.startsWith('src/') && w !== name) };
    });
}

/** The layer whose most specific path holds `file` (relative to the repository). */
function layerOf(all: Layer[], file: string): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of all) {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && (!best || p.length > best.length)) best = { layer, length: p.length };
    }
  }
  return best?.layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm;

/** Every import the table does not allow. */
function violations(all: Layer[], files: Array<{ path: string; text: string }>): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    const from = layerOf(all, path);
    if (!from) {
      found.push(`${path} belongs to no layer of ARCHITECTURE.md`);
      continue;
    }
    for (const m of text.matchAll(IMPORT)) {
      const target = relative(ROOT, resolve(dirname(join(ROOT, path)), m[1]!)).replace(/\.js$/, '.ts');
      const to = layerOf(all, target);
      if (!to) found.push(`${path} imports ${target}, which belongs to no layer`);
      else if (to !== from && !from.uses.includes(to.name)) found.push(`${path} (${from.name}) imports ${target} (${to.name}), which it may not`);
    }
  }
  return found;
}

describe('the layers of ARCHITECTURE.md', () => {
  it('are kept: no import in src/ runs back up them', () => {
    const all = layers();
    const files = sourceFiles(SRC).map((f) => ({ path: relative(ROOT, f), text: readFileSync(f, 'utf8') }));
    expect(violations(all, files)).toEqual([]);
  });

  it('form a stack: no layer may import, through others, a layer that imports it', () => {
    const all = layers();
    const byName = new Map(all.map((l) => [l.name, l]));
    const cycles: string[] = [];
    const visit = (layer: Layer, path: string[]): void => {
      for (const next of layer.uses) {
        if (path.includes(next)) cycles.push([...path, next].join(' → '));
        else if (byName.has(next)) visit(byName.get(next)!, [...path, next]);
        else cycles.push(`${layer.name} may import ${next}, which is no layer`);
      }
    };
    for (const layer of all) visit(layer, [layer.name]);
    expect(cycles).toEqual([]);
  });

  it('the check catches an import that runs up, and a file with no layer', () => {
    const all = layers();
    const files = [
      { path: 'src/queue/claim.ts', text: `import type { ClaimedJob } from '../worker/handler.js';` },
      { path: 'src/worker/worker.ts', text: `const p = await import('../parse/pipeline/run.js');` },
      { path: 'src/parse/play.ts', text: `import { loadParser } from './pipeline/registry.js';` },
      { path: 'src/widgets/x.ts', text: '' },
    ];
    expect(violations(all, files)).toEqual([
      'src/queue/claim.ts (queue) imports src/worker/handler.ts (worker), which it may not',
      'src/worker/worker.ts (worker) imports src/parse/pipeline/run.ts (parse), which it may not',
      'src/parse/play.ts (model) imports src/parse/pipeline/registry.ts (parse), which it may not',
      'src/widgets/x.ts belongs to no layer of ARCHITECTURE.md',
    ]);
  });
});
