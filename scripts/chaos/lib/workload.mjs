import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

// The texts the jobs parse: real plays (the committed public-domain fixtures, or --corpus DIR), each in as
// many copies as the profile needs. A copy differs from its play by a last stage direction naming the copy, so
// every job has a text of its own (the queue de-duplicates equal texts) and its own expected result.
// Files live in the run folder under plays/, named by play and copy; the same relative name is what enqueue
// records and what the single-worker reference is computed from.

export function loadPlays(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  if (files.length === 0) throw new Error(`no .txt plays in ${dir}`);
  return files.map((f) => ({ name: basename(f, '.txt'), text: readFileSync(join(dir, f), 'utf8') }));
}

export class Workload {
  constructor(runDir, plays) {
    this.runDir = runDir;
    this.plays = plays;
    this.next = 0;
    mkdirSync(join(runDir, 'plays'), { recursive: true });
  }

  /** A fresh text: the next play in turn, as its next copy. Returns its relative path. */
  fresh(parser) {
    const n = this.next++;
    const play = this.plays[n % this.plays.length];
    const copy = Math.floor(n / this.plays.length);
    const file = join('plays', `${play.name}.${parser}.${copy}.txt`);
    writeFileSync(join(this.runDir, file), `${play.text.trimEnd()}\n\n[Copy ${copy + 1} (${parser}).]\n`);
    return file;
  }

  /** An edited version of `file` under the same name (what `enqueue --replace` is for). */
  edit(file, edition) {
    const path = join(this.runDir, file);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text.trimEnd()}\n\n[Edition ${edition}.]\n`);
  }

  read(file) {
    return readFileSync(join(this.runDir, file), 'utf8');
  }
}
