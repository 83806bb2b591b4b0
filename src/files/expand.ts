import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

// Turns what the user typed after `enqueue` into a list of files: plain paths, directories (the play files
// inside, recursively) and glob patterns the shell left unexpanded (quoted, or from cron).

export interface Expanded {
  files: string[];
  /** Arguments that matched nothing, with the reason. */
  misses: Array<{ arg: string; reason: string }>;
}

const GLOB_CHARS = /[*?[]/;

export function expandPaths(args: string[], playExtensions: readonly string[]): Expanded {
  const files: string[] = [];
  const misses: Expanded['misses'] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const key = resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  const isPlayFile = (name: string) => playExtensions.includes(extname(name).toLowerCase());

  for (const arg of args) {
    if (GLOB_CHARS.test(arg) && !exists(arg)) {
      const matches = globFiles(arg).filter(isPlayFile);
      if (matches.length === 0) misses.push({ arg, reason: 'no play files match this pattern' });
      matches.forEach(add);
      continue;
    }
    let st;
    try {
      st = statSync(arg);
    } catch {
      // Left for the extractor, which says "not found" in the same words as for any other bad file.
      add(arg);
      continue;
    }
    if (st.isDirectory()) {
      const inside = walk(arg).filter(isPlayFile);
      if (inside.length === 0) misses.push({ arg, reason: `no ${playExtensions.join('/')} files in this directory` });
      inside.forEach(add);
    } else {
      add(arg);
    }
  }
  return { files, misses };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** `*` and `?` stay within a path segment, `**` crosses them, `[abc]` is a character class. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function globFiles(pattern: string): string[] {
  const normalized = pattern.split(sep).join('/');
  const segments = normalized.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const baseParts = segments.slice(0, firstGlob);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  if (!exists(base)) return [];
  const rest = globToRegExp(segments.slice(firstGlob).join('/'));
  return walk(base).filter((file) => rest.test(relative(base, file).split(sep).join('/')));
}
