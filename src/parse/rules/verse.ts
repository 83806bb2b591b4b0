// Spoken text as it should read: verse keeps its printed lines and their relative indentation, prose
// printed with hard line wraps becomes one running paragraph. Which of the two a speech is, is read from
// the speech itself against how the text around it is printed.

import { stripEmphasis } from './text.js';

export interface TextLine {
  text: string;
  indent: number;
  /** Column where `text` starts on its printed line. */
  col: number;
}

export interface Rendered {
  text: string;
  preserveLineBreaks: boolean;
  /** Indentation of the passage's first line, in steps of four columns above the play's usual indent. */
  indentLevel: number;
}

/** How a text prints its lines, measured once over the whole text. */
export interface LineStyle {
  /** The column prose is wrapped at near a source offset; 0 where lines are not wrapped to a width. */
  widthAt(offset: number): number;
  /**
   * Verse lines start with a capital in this text (Shakespeare, Racine, Goethe), so a line going on in
   * lower case is a carried-over verse line or wrapped prose. Spanish and Italian verse lines start in
   * lower case and say nothing of the kind.
   */
  capitalVerse: boolean;
}

export interface StyleLine {
  text: string;
  start: number;
  blank: boolean;
}

// A wrapped text is wrapped by a program or an editor whose width wanders by a column or two.
const SLACK = 3;
// Pairs of lines per stretch of text measured together: a book's introduction, its play and its licence
// are often wrapped at different widths.
const STRETCH = 200;
const MIN_WIDTH = 30;
const MAX_WIDTH = 140;
// How far short of the width a wrapped line may end: the longest common word.
const NEAR = 10;

/** Measures where and at what width the text wraps its lines, and how its verse lines begin. */
export function lineStyle(lines: StyleLine[]): LineStyle {
  const starts: number[] = [];
  const widths: number[] = [];
  let up = 0;
  let low = 0;
  let pairs: Array<[number, number]> = [];
  let stretchStart = lines.length ? lines[0]!.start : 0;
  const flush = () => {
    starts.push(stretchStart);
    widths.push(wrapWidth(pairs));
    pairs = [];
  };
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i]!;
    const b = lines[i + 1]!;
    if (a.blank || b.blank) continue;
    const next = b.text.trimStart();
    pairs.push([a.text.length, firstWordLength(next)]);
    // A label alone on its line (`HAMLET`) is followed by a capital whatever the speech is.
    if (!ENDS_CLAUSE.test(a.text) && /\p{Ll}/u.test(a.text)) {
      const c = initialCase(next);
      if (c > 0) up++;
      else if (c < 0) low++;
    }
    if (pairs.length >= STRETCH) {
      flush();
      stretchStart = b.start;
    }
  }
  flush();
  const capitalVerse = up + low === 0 || up / (up + low) >= 0.35;
  return {
    capitalVerse,
    widthAt(offset: number) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      // A stretch straddling two widths measures the wider; the narrower of its neighbours' is safer for
      // telling a wrap, as prose lines then still reach it and verse lines still end well short of it.
      const own = widths[lo] ?? 0;
      if (own === 0) return 0;
      const near = [widths[lo - 1], own, widths[lo + 1]].filter((w): w is number => w !== undefined && w > 0);
      return Math.min(...near);
    },
  };
}

const ENDS_CLAUSE = /[.!?:;]["”’»)\]]*\s*$/;

/**
 * The width a stretch of lines is wrapped at: a width that almost no line runs past, and at which nearly
 * every line ending within a few columns of it is followed by a word that would not have fitted. Verse
 * and one-paragraph-a-line texts have long lines followed by short words that would have; they get 0.
 */
function wrapWidth(pairs: Array<[number, number]>): number {
  if (pairs.length < 20) return 0;
  const near = new Array<number>(MAX_WIDTH + 1).fill(0);
  const forced = new Array<number>(MAX_WIDTH + 1).fill(0);
  const longer = new Array<number>(MAX_WIDTH + 2).fill(0);
  for (const [len, word] of pairs) {
    longer[Math.min(len, MAX_WIDTH + 1)]! += 1;
    for (let w = Math.max(len, MIN_WIDTH); w <= Math.min(len + NEAR, MAX_WIDTH); w++) {
      near[w]! += 1;
      if (len + 1 + word > w - SLACK) forced[w]! += 1;
    }
  }
  // longer[w] becomes the number of lines longer than w - 1
  for (let w = MAX_WIDTH; w >= 0; w--) longer[w]! += longer[w + 1]!;
  let best = 0;
  let bestShare = 0;
  for (let w = MIN_WIDTH; w <= MAX_WIDTH; w++) {
    if (near[w]! < pairs.length * 0.1 || longer[w + 1]! > pairs.length * 0.02) continue;
    const share = forced[w]! / near[w]!;
    if (share > bestShare) {
      bestShare = share;
      best = w;
    }
  }
  return bestShare >= 0.9 ? best : 0;
}

function firstWordLength(s: string): number {
  const sp = s.search(/\s/);
  return sp < 0 ? s.length : sp;
}

/** 1 for a line whose first letter is a capital, -1 for lower case, 0 when it has no cased letter near its start. */
function initialCase(line: string): number {
  for (let i = 0; i < line.length && i < 4; i++) {
    const ch = line[i]!;
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (lower !== upper) return ch === upper ? 1 : -1;
  }
  return 0;
}

// Directions inside a line, which say nothing of how the spoken words are laid out.
const INLINE_DIRECTION = /\[[^\]]*\]|\([^)]*\)|_[^_]*_/g;

function spoken(l: TextLine): boolean {
  const t = l.text;
  return /\p{L}/u.test(t.includes('(') || t.includes('[') || t.includes('_') ? t.replace(INLINE_DIRECTION, ' ') : t);
}

/**
 * Whether a speech's lines are verse: most of its line breaks are made on purpose, where the next word
 * would still have fitted (in a wrapped text), or before a capital (in a text whose verse lines begin with
 * one and whose prose is broken wherever the page ended).
 */
export function isVerse(lines: TextLine[], width: number, capitalVerse: boolean): boolean {
  const body = lines.filter(spoken);
  if (body.length < 2) return false;
  let wraps = 0;
  for (let i = 0; i + 1 < body.length; i++) {
    const a = body[i]!;
    const b = body[i + 1]!;
    if (width > 0 ? a.col + a.text.length + 1 + firstWordLength(b.text) > width - SLACK : capitalVerse && initialCase(b.text) < 0) wraps++;
  }
  return wraps * 2 < body.length - 1;
}

/** The text of one stretch of a speech, as verse (one printed line a line) or as running prose. */
export function render(lines: TextLine[], baseIndent: number, verse: boolean, style: { capitalVerse: boolean; underscores: boolean }): Rendered {
  const { capitalVerse, underscores } = style;
  const clean = (t: string) => (underscores ? stripEmphasis(t) : bracketed(stripEmphasis(t, false)));
  const body = lines.filter((l) => l.text.trim() !== '');
  if (body.length === 0) return { text: '', preserveLineBreaks: false, indentLevel: 0 };
  const minIndent = Math.min(...body.map((l) => l.indent));
  const indentLevel = Math.max(0, Math.round((minIndent - baseIndent) / 4));
  if (body.length === 1 || !verse) {
    return { text: clean(body.map((l) => l.text.trim()).join(' ').replace(/\s+/g, ' ')), preserveLineBreaks: false, indentLevel };
  }
  let text = '';
  body.forEach((l, i) => {
    const t = l.text.trim();
    // A verse line too long for the page goes on in lower case on the next printed line: still one line.
    if (i > 0 && capitalVerse && initialCase(t) < 0) text += ` ${t}`;
    else text += (i > 0 ? '\n' : '') + ' '.repeat(Math.max(0, l.indent - minIndent)) + t;
  });
  return { text: clean(text), preserveLineBreaks: text.includes('\n'), indentLevel };
}

// In a play that marks its directions `_so_`, a short one left inside a spoken line reads as `(so)`, the
// way a direction reads in any playbook; one on a line of its own stays as the play marks it.
const UNDERSCORED = /(^|[^\p{L}\p{N}_])_([^_\n]*[^\s_])_(?=$|[^\p{L}\p{N}_])/gu;
const WHOLE_LINE = /^\s*_[^_]+_[.,;:]?\s*$/;

function bracketed(t: string): string {
  if (!t.includes('_')) return t;
  return t
    .split('\n')
    .map((line) => (WHOLE_LINE.test(line) ? line : line.replace(UNDERSCORED, '$1($2)')))
    .join('\n');
}
