import * as fs from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

// Turns what the user typed after `enqueue` into a list of files: plain paths, directories (the play files
// inside, recursively, following symbolic links) and glob patterns the shell left unexpanded (quoted, or
// from cron), with braces, character classes and backslash escapes. A part of a folder that cannot be read
// is reported like a bad file, and the rest of the folder is still taken.

export interface Expanded {
  files: string[];
  /** Arguments that matched nothing, with the reason. */
  misses: Array<{ arg: string; reason: string }>;
  /** Directories (or links) inside a folder or pattern that could not be read; everything else was taken. */
  unreadable: Array<{ path: string; reason: string }>;
}

export function expandPaths(args: string[], playExtensions: readonly string[]): Expanded {
  const files: string[] = [];
  const misses: Expanded['misses'] = [];
  const unreadable = new Map<string, Expanded['unreadable'][number]>();
  // By real path: a file reached through a link and directly, or twice around a link loop, is one file.
  const seen = new Set<string>();
  const isNew = (file: string) => {
    const key = realPath(file);
    return seen.has(key) ? false : (seen.add(key), true);
  };
  const isPlayFile = (name: string) => playExtensions.some((ext) => name.toLowerCase().endsWith(ext));
  const noteUnreadable = (path: string, err: NodeJS.ErrnoException) => {
    const key = join(realPath(dirname(path)), basename(path));
    if (!unreadable.has(key)) unreadable.set(key, { path: path.replace(/\/+$/, ''), reason: readProblem(err) });
  };
  /** The play files a pattern matches (relative to `cwd` when given), and those of them not taken yet, in name order. */
  const crawl = (pattern: string, cwd?: string) => {
    const matched = globSync(pattern, { cwd, absolute: cwd === undefined && isAbsolute(pattern), followSymbolicLinks: true, fs: reportingFs(noteUnreadable) })
      .filter(isPlayFile)
      .map((path) => (cwd === undefined ? path : join(cwd, path)));
    const fresh = matched
      // Around a link loop the same file turns up under longer and longer paths: the shortest is kept.
      .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))
      .filter(isNew)
      .sort((a, b) => a.localeCompare(b));
    return { matched: matched.length, fresh };
  };

  for (const arg of args) {
    if (isDynamicPattern(arg) && !exists(arg)) {
      const { matched, fresh } = crawl(arg);
      if (matched === 0) misses.push({ arg, reason: 'no play files match this pattern' });
      files.push(...fresh);
      continue;
    }
    let st;
    try {
      st = fs.statSync(arg);
    } catch {
      // Left for the extractor, which says "not found" in the same words as for any other bad file.
      if (isNew(arg)) files.push(arg);
      continue;
    }
    if (st.isDirectory()) {
      const before = unreadable.size;
      const { matched, fresh } = crawl('**/*', arg);
      if (matched === 0 && unreadable.size === before) misses.push({ arg, reason: `no ${playExtensions.join('/')} files in this directory` });
      files.push(...fresh);
    } else if (isNew(arg)) {
      files.push(arg);
    }
  }
  return { files, misses, unreadable: [...unreadable.values()] };
}

/**
 * node:fs as the glob library sees it, except that a directory it cannot list or a link it cannot follow is
 * told to `onError` (the library itself skips them without a word) before the library skips it.
 */
function reportingFs(onError: (path: string, err: NodeJS.ErrnoException) => void) {
  const watched = <F extends (path: string, ...rest: never[]) => unknown>(fn: F): F =>
    ((path: string, ...rest: never[]) => {
      try {
        return fn(path, ...rest);
      } catch (err) {
        onError(path, err as NodeJS.ErrnoException);
        throw err;
      }
    }) as F;
  return {
    readdirSync: watched(fs.readdirSync as (path: string) => unknown) as typeof fs.readdirSync,
    realpathSync: watched(fs.realpathSync as (path: string) => unknown) as typeof fs.realpathSync,
  };
}

function readProblem(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it is a symbolic link to something that does not exist';
    case 'ELOOP':
      return 'its symbolic links go round in a loop';
    default:
      return err.message;
  }
}

function realPath(path: string): string {
  try {
    return fs.realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function exists(path: string): boolean {
  try {
    fs.statSync(path);
    return true;
  } catch {
    return false;
  }
}
