import type { SourceLine } from './text.js';
import { displayCase, squash, stripEmphasis } from './text.js';

// What comes before and after the play itself: distributor headers and licences (Project Gutenberg,
// Folger), and the title page the title and author are read from.

export interface Envelope {
  /** The stretches of lines (first, last+1) that belong to books, in order; more than one in an anthology. */
  ranges: Array<[number, number]>;
  title: string | null;
  author: string | null;
}

const PG_START = /^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG|^\s*\*END\*THE SMALL PRINT/i;
const PG_END = /^\s*\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|^\s*End of (?:the )?Project Gutenberg(?:'s)?\b|^\s*End of this Project Gutenberg/i;
const PG_HEADER_LINE = /^\s*The Project Gutenberg e?Book,? (?:of )?(.+?)(?:,\s+by\s+(.+))?$/i;
const PG_MENTION = /Project Gutenberg/i;
// The last line of the licence Project Gutenberg prints after a book; what follows it is another text.
const PG_LICENCE_LAST = /to hear about new e-?Books\.?\s*$/i;
// How far above its start marker a book's Project Gutenberg header begins, at most (the first book's
// header may carry the long licence of older releases).
const FIRST_HEADER_LINES = 400;
const HEADER_LINES = 80;
// Folger's and similar editions' credits, printed above the play.
const CREDIT = /^(?:edited by|with |folger shakespeare library|https?:\/\/|created on|produced by|transcribed|prepared by|this e-?text|copyright|©)/i;

/**
 * Finds the distributor's headers and licences around each book of the text: usually one book, but a
 * file may hold several one after another, each with its own header and licence.
 */
export function findEnvelope(lines: SourceLine[]): Envelope {
  const ranges: Array<[number, number]> = [];
  let from = 0;
  let inLicence = false;
  let firstStart = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.text;
    if (t.length < 8) continue;
    if (PG_START.test(t)) {
      // The header above the marker goes, back to its first line that names the distributor.
      if (!inLicence) {
        let head = i;
        const floor = Math.max(from, i - (ranges.length === 0 ? FIRST_HEADER_LINES : HEADER_LINES));
        for (let k = i - 1; k >= floor; k--) if (PG_MENTION.test(lines[k]!.text)) head = k;
        if (head > from) ranges.push([from, head]);
      }
      if (firstStart < 0) firstStart = i;
      from = i + 1;
      inLicence = false;
    } else if (!inLicence && PG_END.test(t)) {
      if (i > from) ranges.push([from, i]);
      inLicence = true;
    } else if (inLicence && PG_LICENCE_LAST.test(t)) {
      from = i + 1;
      inLicence = false;
    }
  }
  if (!inLicence && from < lines.length) ranges.push([from, lines.length]);
  let title: string | null = null;
  let author: string | null = null;
  if (firstStart >= 0 && firstStart < 400) {
    // The `Title:` and `Author:` fields first; the first line (`The Project Gutenberg EBook of X, by Y`)
    // may wrap in the middle of a name.
    for (let i = 0; i < firstStart; i++) {
      const m = /^\s*(Title|Author):\s*(.+)$/i.exec(lines[i]!.text);
      if (m && m[1]!.toLowerCase() === 'title' && !title) title = stripEmphasis(squash(m[2]!));
      if (m && m[1]!.toLowerCase() === 'author' && !author) author = squash(m[2]!);
    }
    for (let i = 0; i < firstStart && !title; i++) {
      const h = PG_HEADER_LINE.exec(lines[i]!.text);
      if (h) {
        title = stripEmphasis(squash(h[1]!));
        if (h[2] && !author) author = squash(h[2]);
      }
    }
  }
  return { ranges, title, author };
}

export const BY = /^(?:by|par|von|di|de|por|от|автор:?)\s+(.+)$/iu;
const GENRE = /(?:comedy|tragedy|farce|drama|play|melodrama|tragicomedy|comédie|tragédie|drame|lustspiel|trauerspiel|schauspiel|posse|komödie|tragödie|comedia|tragedia|commedia|шутка|комедия|трагедия|драма|пьеса|водевиль)/iu;

export interface TitlePage {
  title: string | null;
  author: string | null;
  genre: string | null;
  year: number | null;
}

/** Reads title, author and genre from the first lines of the book (before any cast list or act). */
export function readTitlePage(lines: SourceLine[]): TitlePage {
  const page: TitlePage = { title: null, author: null, genre: null, year: null };
  const top: string[] = [];
  for (const l of lines) {
    if (l.blank) {
      if (top.length) break;
      continue;
    }
    const t = l.text.trim();
    if (CREDIT.test(t)) continue;
    top.push(t);
    if (top.length >= 8) break;
  }
  if (top.length === 0) return page;
  for (const t of top) {
    const by = BY.exec(t);
    if (by && !page.author && t.length < 80) page.author = by[1]!.replace(/[.,]$/, '').trim();
    else if (!page.title && t.length < 120) page.title = t;
    else if (page.title && !page.genre && GENRE.test(t) && t.length < 100) page.genre = t.replace(/[.]$/, '');
  }
  if (!page.author && top.length >= 2) {
    const last = top[top.length - 1]!;
    const words = last.split(/\s+/);
    if (last !== page.title && words.length >= 2 && words.length <= 5 && words.every((w) => /^\p{Lu}/u.test(w)) && !/\d/.test(last)) {
      page.author = last;
      if (page.genre === last) page.genre = null;
    }
  }
  if (page.title) {
    // `Phèdre (1677)`: the year is the year's, not the title's.
    const y = /\s*\((1[0-9]{3}|20[0-9]{2})\)/.exec(page.title);
    if (y) {
      page.year = Number(y[1]);
      page.title = (page.title.slice(0, y.index) + page.title.slice(y.index + y[0].length)).trim() || page.title;
    }
  }
  return page;
}

export function tidyTitle(title: string): string {
  return displayCase(stripEmphasis(title.replace(/\s+/g, ' ').trim()));
}
