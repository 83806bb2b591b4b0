// Lines and paragraphs of the raw text, with their character offsets into it, so every structure the
// parser finds can point back at the exact span of the source it came from.

export interface SourceLine {
  /** The line without its line ending; tabs and odd spaces are normalised, the length is kept. */
  text: string;
  start: number;
  end: number;
  /** Leading whitespace in columns (a tab counts 4). */
  indent: number;
  blank: boolean;
}

/** Consecutive non-blank lines. */
export interface Block {
  lines: SourceLine[];
  start: number;
  end: number;
  /** Smallest indent of its lines. */
  indent: number;
  /** Blank lines before it, so headings set apart by space can be told from running text. */
  blankBefore: number;
}

const ODD_SPACE = /[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g;
const INVISIBLE = /[\u200b-\u200d\ufeff\u00ad]/g;
const ANY_ODD = /[\u00a0\u00ad\u2000-\u200d\u202f\u205f\u3000\ufeff]/;

function measureIndent(line: string): number {
  let cols = 0;
  for (const ch of line) {
    if (ch === ' ') cols += 1;
    else if (ch === '\t') cols += 4;
    else break;
  }
  return cols;
}

export function splitLines(text: string): SourceLine[] {
  const out: SourceLine[] = [];
  const odd = ANY_ODD.test(text);
  let start = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const ch = i < n ? text.charCodeAt(i) : 10;
    if (ch !== 10 && ch !== 13) continue;
    const slice = text.slice(start, i);
    const raw = odd ? slice.replace(INVISIBLE, '').replace(ODD_SPACE, ' ') : slice;
    const trimmed = raw.trimEnd();
    out.push({ text: trimmed, start, end: i, indent: measureIndent(trimmed), blank: trimmed.trim() === '' });
    if (ch === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  return out;
}

export function toBlocks(lines: SourceLine[]): Block[] {
  const blocks: Block[] = [];
  let current: SourceLine[] = [];
  let blanks = 0;
  let blanksBeforeCurrent = 0;
  const flush = () => {
    if (current.length === 0) return;
    blocks.push({
      lines: current,
      start: current[0]!.start,
      end: current[current.length - 1]!.end,
      indent: Math.min(...current.map((l) => l.indent)),
      blankBefore: blanksBeforeCurrent,
    });
    current = [];
  };
  for (const line of lines) {
    if (line.blank) {
      if (current.length) flush();
      blanks++;
      continue;
    }
    if (current.length === 0) {
      blanksBeforeCurrent = blanks;
      blanks = 0;
    }
    current.push(line);
  }
  flush();
  return blocks;
}

export function makeBlock(lines: SourceLine[], blankBefore: number): Block {
  return {
    lines,
    start: lines[0]!.start,
    end: lines[lines.length - 1]!.end,
    indent: Math.min(...lines.map((l) => l.indent)),
    blankBefore,
  };
}

const keyCache = new Map<string, string>();

/** Case-, accent- and punctuation-blind form of a name, for comparing labels with cast entries. */
export function nameKey(s: string): string {
  let key = keyCache.get(s);
  if (key === undefined) {
    key = computeNameKey(s);
    // Names recur thousands of times in a play; the cache stays small because names are few.
    if (keyCache.size > 50_000) keyCache.clear();
    keyCache.set(s, key);
  }
  return key;
}

function computeNameKey(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Small words that stay in lower case inside a name or title: `One of the Women`, `Le Marquis de Mascarille`.
const SMALL_WORDS = new Set('of the and a an to in on at for with from by de du des d von van zu di da del della et und y e'.split(' '));

/** `MAÎTRE JACQUES` → `Maître Jacques`; names printed in capitals read better in the playbook. */
export function displayCase(s: string): string {
  if (/\p{Ll}/u.test(s)) return s;
  return s
    .toLowerCase()
    .replace(/(^|[\s\-'’(./])(\p{Ll}[\p{L}\p{M}]*)/gu, (m, sep: string, word: string, at: number) =>
      (at > 0 && /\s/.test(sep) && SMALL_WORDS.has(word)) || (/['’]/.test(sep) && word === 's') ? m : sep + word.charAt(0).toUpperCase() + word.slice(1),
    );
}

// A dash that ran a direction into the speech after it (`(adds)--Do you hear`, `(ab) – Ich`).
export function skipJoiningDash(text: string, pos: number): number {
  const m = /^\s*(?:--|—|–)[ \t]*/.exec(text.slice(pos, pos + 8));
  return m && pos + m[0].length < text.length ? pos + m[0].length : pos;
}

export function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

// `_is_`, `*Morning Post*`: emphasis a plain-text edition marks with underscores or asterisks, which the
// reader of a playbook should not see. Only pairs that hug words inside one line count, so `snake_case`
// and a lone `*` stay.
const EMPHASIS = /(^|[^\p{L}\p{N}_*])([_*]{1,2})(?=[^\s_*])([^_*\n]*?[^\s_*])\2(?=$|[^\p{L}\p{N}_*])/gu;
const STARRED = /(^|[^\p{L}\p{N}_*])(\*{1,2})(?=[^\s_*])([^_*\n]*?[^\s_*])\2(?=$|[^\p{L}\p{N}_*])/gu;

/** `underscores: false` in a play that marks its directions `_so_`, where they are not emphasis. */
export function stripEmphasis(s: string, underscores = true): string {
  if (underscores && s.includes('_')) s = s.replace(EMPHASIS, '$1$3');
  return s.includes('*') ? s.replace(STARRED, '$1$3') : s;
}
