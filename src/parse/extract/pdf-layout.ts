// Positioned text pieces of PDF pages → lines of text. A PDF has no lines or indentation, only glyphs
// at coordinates; verse and stage directions are told apart by where lines start, so indentation is
// rebuilt from x positions relative to the page's left margin.

/** One text piece as pdf.js reports it (user space: origin bottom-left, y grows upwards). */
export interface TextPiece {
  str: string;
  x: number;
  y: number;
  width: number;
  fontSize: number;
}

interface Line {
  text: string;
  /** The line was drawn with spaces after its last word (kept when a printer's wrap is joined). */
  trailingSpace?: boolean;
  x: number;
  end: number;
  y: number;
  fontSize: number;
}

/**
 * In proportional type one space of indentation is half an em: the average width of a letter, so a line
 * indented by the width of four letters gets four spaces. Monospaced type (a print-out of a text file)
 * has its own exact width per character, found by `spaceUnit`.
 */
const EM_PER_SPACE = 0.5;
/** Type is monospaced when this share of the longer pieces have one width per character, within 3 %. */
const MONOSPACE_SHARE = 0.9;
/** A gap narrower than this (in em) between two pieces is kerning, not a space. */
const MIN_SPACE_EM = 0.15;
/** A vertical gap this many times the usual line distance separates paragraphs. */
const PARAGRAPH_GAP = 1.5;
/** A page whose every line starts this far (in spaces) right of the document's margin is indented as a whole. */
const WHOLE_PAGE_INDENT = 4;
/** Running heads and footers repeat on at least this many pages (and on half of them). */
const MIN_RUNNING_PAGES = 3;

/**
 * `widths` are the pages' widths in the same units, when known: they tell where a printer had to break
 * lines too long for the page.
 */
export function pagesToText(pages: TextPiece[][], widths: number[] = []): string {
  const { unit, monospaced } = typeface(pages);
  const lined = pages.map((pieces) => toLines(pieces, unit));
  const gap = usualLineGap(lined);
  dropPageFurniture(lined, gap);
  const margins = leftMargins(lined, unit);
  const words = vocabulary(lined);
  const edges = lined.map((lines, i) => (monospaced && widths[i] ? fullLineEnd(widths[i]!, margins[i] ?? 0, unit * bodyFontSize(lines)) : null));
  const byWord = monospaced && wrapsByWord(lined, margins, edges, gap, unit);
  if (!monospaced) joinHyphenatedWords(lined, gap, words);
  const rendered = lined.map((lines, i) => renderPage(lines, margins[i] ?? 0, gap, unit, edges[i] ?? null, byWord ? words : null));
  const blankAt = blankLinesAtPageEdges(lined, gap, monospaced);
  let text = '';
  rendered.forEach((page, i) => {
    if (page === '') return;
    if (text === '') text = page;
    // A printed text file keeps every blank line, so there the guess from sentences is not needed.
    else text += (blankAt[i] || (!monospaced && paragraphEndsAtPageBreak(text, page)) ? '\n\n' : '\n') + page;
  });
  return text;
}

/**
 * Whether a page break also breaks a paragraph because the page before ends above the lowest line any
 * page reaches, or the page starts below the highest: a blank line of a printed text file that fell on
 * the page break. Word processors also leave a line free when they move a paragraph's last line to the
 * next page (widow control), so in proportional type only two free lines count.
 */
function blankLinesAtPageEdges(pages: Line[][], gap: number, monospaced: boolean): boolean[] {
  const breaks = pages.map(() => false);
  const filled = pages.filter((lines) => lines.length > 0);
  if (gap === 0 || filled.length < 2) return breaks;
  // The last page ends where its text ends, and the first may start below a title block.
  const bottom = Math.min(...filled.slice(0, -1).map((lines) => lines.at(-1)!.y));
  const top = Math.max(...filled.slice(1).map((lines) => lines[0]!.y));
  const free = (monospaced ? 1 : 2) - 0.25;
  let previous: Line[] | undefined;
  pages.forEach((lines, i) => {
    if (lines.length === 0) return;
    const shortBefore = previous !== undefined && previous.at(-1)!.y - bottom >= free * gap;
    const lowStart = previous !== undefined && top - lines[0]!.y >= free * gap;
    breaks[i] = shortBefore || lowStart;
    previous = lines;
  });
  return breaks;
}

/** A change of indentation this large (in spaces) across a page break starts a new paragraph. */
const PAGE_BREAK_INDENT_CHANGE = 2;

/**
 * The vertical gap that separates paragraphs is lost where a page ends, so a stage direction at the top of
 * a page would run into the speech that ended the page before. A paragraph is taken to end there when the
 * page's last line ends a sentence and the next page starts at another indentation (an indented direction
 * after a speech, or a speech after one): a verse or prose speech running on keeps its indentation.
 */
function paragraphEndsAtPageBreak(before: string, after: string): boolean {
  const last = before.slice(before.lastIndexOf('\n') + 1);
  const first = after.slice(0, after.indexOf('\n') < 0 ? undefined : after.indexOf('\n'));
  if (last.trim() === '' || first.trim() === '') return false;
  const indent = (line: string) => line.length - line.trimStart().length;
  return /[.!?:;)\]”’"»]$/.test(last.trimEnd()) && Math.abs(indent(first) - indent(last)) >= PAGE_BREAK_INDENT_CHANGE;
}

/**
 * The width of one space in em. A text file printed in a monospaced font keeps its meaning in runs of
 * spaces (`HAMLET  To be` against `HAMLET To be`, columns, indented verse), and those come back exactly
 * only when measured in the font's own character width.
 */
function typeface(pages: TextPiece[][]): { unit: number; monospaced: boolean } {
  const ratios: number[] = [];
  for (const pieces of pages) {
    for (const p of pieces) {
      const chars = [...p.str].length;
      if (chars >= 4 && p.str.trim() !== '' && p.width > 0 && p.fontSize > 0) ratios.push(p.width / chars / p.fontSize);
    }
  }
  const proportional = { unit: EM_PER_SPACE, monospaced: false };
  if (ratios.length < 10) return proportional;
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  const even = ratios.filter((r) => Math.abs(r - median) <= 0.03 * median).length;
  return even >= MONOSPACE_SHARE * ratios.length ? { unit: median, monospaced: true } : proportional;
}

function toLines(pieces: TextPiece[], unit: number): Line[] {
  const lines: Line[] = [];
  let line: Line | undefined;
  for (const piece of pieces) {
    if (piece.str === '') continue;
    const sameLine = line !== undefined && Math.abs(piece.y - line.y) <= 0.5 * Math.max(line.fontSize, piece.fontSize);
    // pdf.js reports a run of spaces as one blank piece; the gap to the next piece says how many it was.
    if (line && sameLine && piece.str.trim() === '') continue;
    if (line && sameLine) {
      line.text += spacesBetween(line, piece, unit) + piece.str;
      line.end = Math.max(line.end, piece.x + piece.width);
    } else if (piece.str.trim() !== '') {
      line = { text: piece.str, x: piece.x, end: piece.x + piece.width, y: piece.y, fontSize: piece.fontSize };
      lines.push(line);
    }
  }
  for (const l of lines) {
    const lead = l.text.length - l.text.trimStart().length;
    // A line whose first piece starts with spaces begins where its first glyph is drawn.
    if (lead > 0) l.x += lead * unit * l.fontSize;
    l.trailingSpace = /\s$/.test(l.text);
    l.text = l.text.trim();
  }
  return lines;
}

function spacesBetween(line: Line, piece: TextPiece, unit: number): string {
  if (/\s$/.test(line.text) || /^\s/.test(piece.str)) return '';
  const gapEm = (piece.x - line.end) / line.fontSize;
  if (gapEm < MIN_SPACE_EM) return '';
  // Wide gaps are kept wide: `NAME      text` in columns is a speech-cue layout of its own.
  return ' '.repeat(Math.max(1, Math.round(gapEm / unit)));
}

/**
 * The distance between two lines of one paragraph. Short speeches make paragraph gaps as common as line
 * gaps, so it is the low end of all gaps of the document, not their median; gaps under most of a font
 * size are superscripts or misaligned pieces, not lines.
 */
function usualLineGap(pages: Line[][]): number {
  const gaps: number[] = [];
  for (const lines of pages) {
    for (let i = 1; i < lines.length; i++) {
      const gap = lines[i - 1]!.y - lines[i]!.y;
      if (gap >= 0.8 * lines[i]!.fontSize) gaps.push(gap);
    }
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 10)] ?? 0;
}

/** Is line `i` separated from its neighbour towards the page body by more than a line distance? */
function setApart(lines: Line[], i: number, towards: 1 | -1, usualGap: number): boolean {
  const neighbour = lines[i + towards];
  if (!neighbour || usualGap === 0) return true;
  return Math.abs(lines[i]!.y - neighbour.y) > PARAGRAPH_GAP * usualGap;
}

const PAGE_NUMBER = /^[-–—\s]*(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?[-–—\s]*$/i;

/**
 * Page numbers and running heads would otherwise land in the middle of speeches. Only lines that are
 * first or last on their page and set apart from the body are candidates, so a short line of dialogue
 * is never taken for one.
 */
function dropPageFurniture(pages: Line[][], gap: number): void {
  for (const lines of pages) {
    if (lines.length > 1 && PAGE_NUMBER.test(lines.at(-1)!.text) && setApart(lines, lines.length - 1, -1, gap)) lines.pop();
    if (lines.length > 1 && PAGE_NUMBER.test(lines[0]!.text) && setApart(lines, 0, 1, gap)) lines.shift();
  }
  dropRunning(pages, 'first', gap);
  dropRunning(pages, 'last', gap);
}

function dropRunning(pages: Line[][], end: 'first' | 'last', gap: number): void {
  // Page numbers inside a running head vary; its wording, case and type size do not, which keeps a
  // title page's title from matching a running head with the same words.
  const key = (line: Line) => `${line.text.replace(/\d+/g, '#').replace(/\s+/g, ' ')}|${Math.round(line.fontSize)}`;
  const candidates = pages.map((lines) => {
    if (lines.length < 2) return null;
    const i = end === 'first' ? 0 : lines.length - 1;
    return setApart(lines, i, end === 'first' ? 1 : -1, gap) ? key(lines[i]!) : null;
  });
  const counts = new Map<string, number>();
  for (const c of candidates) if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1);
  pages.forEach((lines, p) => {
    const c = candidates[p];
    if (c === null || c === undefined) return;
    const n = counts.get(c) ?? 0;
    if (n >= MIN_RUNNING_PAGES && n >= pages.length / 2) {
      if (end === 'first') lines.shift();
      else lines.pop();
    }
  });
}

/**
 * Each page's own leftmost line start is its margin, which follows books whose odd and even pages have
 * different margins. A page without any line at the margin (only a stage direction, a centred title)
 * falls back to the smallest margin of pages of the same parity.
 */
function leftMargins(pages: Line[][], spaceEm: number): number[] {
  const own = pages.map((lines) => (lines.length ? Math.min(...lines.map((l) => l.x)) : 0));
  const byParity = [0, 1].map((parity) =>
    Math.min(...own.filter((_, i) => i % 2 === parity && pages[i]!.length > 0), Infinity),
  );
  return own.map((margin, i) => {
    const parityMargin = byParity[i % 2]!;
    const unit = spaceEm * bodyFontSize(pages[i]!);
    return margin - parityMargin > WHOLE_PAGE_INDENT * unit ? parityMargin : margin;
  });
}

function bodyFontSize(lines: Line[]): number {
  const sizes = lines.map((l) => l.fontSize).sort((a, b) => a - b);
  return sizes[Math.floor(sizes.length / 2)] ?? 10;
}

/**
 * Where a full line ends when a text file is printed in a monospaced face: printers leave the same
 * margin on both sides and fit as many whole characters as the width between them holds.
 */
function fullLineEnd(pageWidth: number, margin: number, charWidth: number): number | null {
  const chars = Math.floor((pageWidth - 2 * margin) / charWidth + 0.01);
  return chars > 0 ? margin + chars * charWidth : null;
}

/**
 * A printer breaks a line of the file that is longer than the page at the last character that fits,
 * inside a word or not, and goes on at the margin: a line that is exactly full goes on in the next one.
 */
function fullLine(previous: Line, edge: number | null, unit: number): boolean {
  return edge !== null && Math.abs(previous.end - edge) < unit / 4;
}

/**
 * A word processor breaks a line only between words (or after a hyphen) and goes on at the margin, so
 * a line that would not have held the next line's first word, and is followed by a line at the margin,
 * may have been broken by it (the space it broke at is not drawn).
 */
function brokenBeforeWord(previous: Line, line: Line, margin: number, edge: number | null, unit: number): boolean {
  if (edge === null || line.x - margin > unit / 2) return false;
  const first = line.text.split(/\s/, 1)[0]!.length * unit;
  const afterHyphen = HYPHEN_AT_END.test(previous.text) && LETTER_AT_START.test(line.text);
  return previous.end + first + (afterHyphen ? 0 : unit) > edge + unit / 4;
}

/**
 * A text file set by a word processor (LibreOffice opens one in a monospaced face) and one printed by a
 * text printer (enscript) look alike, but the printer breaks long lines at the last character that
 * fits and the word processor between words. Most lines the printer broke are exactly full; those the
 * word processor broke stop short of the edge by less than the next line's first word, and since a
 * word of three letters already does not fit in two, many stop within two characters of it. A text
 * its author wrapped narrower than the page has lines that stop short by less than a long next word
 * too, but all by about the same distance, the difference between the two widths.
 */
function wrapsByWord(pages: Line[][], margins: number[], edges: (number | null)[], gap: number, spaceEm: number): boolean {
  let full = 0;
  let short = 0;
  let nearlyFull = 0;
  pages.forEach((lines, p) => {
    const edge = edges[p] ?? null;
    const unit = spaceEm * bodyFontSize(lines);
    for (let i = 1; i < lines.length; i++) {
      const previous = lines[i - 1]!;
      if (gap > 0 && previous.y - lines[i]!.y > PARAGRAPH_GAP * gap) continue;
      if (fullLine(previous, edge, unit)) full++;
      else if (brokenBeforeWord(previous, lines[i]!, margins[p] ?? 0, edge, unit)) {
        short++;
        if (edge! - previous.end < NEARLY_FULL * unit) nearlyFull++;
      }
    }
  });
  return short >= MIN_WORD_WRAPS && short > 2 * full && full + nearlyFull >= Math.max(MIN_WORD_WRAPS, (full + short) / 4);
}

/** Fewer lines than this that look broken between words are taken for chance. */
const MIN_WORD_WRAPS = 3;
/** A line this many characters short of the edge, or less, is nearly full. */
const NEARLY_FULL = 2.5;

/**
 * Whether a word processor broke `previous` before `line`. A line that could have been broken by it
 * may as well be a line of the text that happens to be long: one that ends a clause before a line
 * starting with a capital, as verse lines do, is taken to be one.
 */
function wordWrapped(previous: Line, line: Line, margin: number, edge: number | null, unit: number): boolean {
  if (line.x - margin > unit / 2) return false;
  if (!fullLine(previous, edge, unit) && !brokenBeforeWord(previous, line, margin, edge, unit)) return false;
  return !(CLAUSE_END.test(previous.text) && /^\p{Lu}/u.test(line.text));
}

/**
 * `words`: the document's vocabulary when the text was wrapped by a word processor (null when by a
 * printer, or not at all).
 */
function renderPage(lines: Line[], margin: number, gap: number, spaceEm: number, edge: number | null, words: Vocabulary | null): string {
  const unit = spaceEm * bodyFontSize(lines);
  const out: string[] = [];
  lines.forEach((line, i) => {
    const previous = lines[i - 1];
    const newParagraph = previous !== undefined && gap > 0 && previous.y - line.y > PARAGRAPH_GAP * gap;
    if (newParagraph) out.push('');
    const indent = ' '.repeat(Math.max(0, Math.round((line.x - margin) / unit)));
    if (previous && !newParagraph && words && wordWrapped(previous, line, margin, edge, unit)) {
      out[out.length - 1] = joinBrokenLine(out[out.length - 1]!, line.text, words);
    } else if (previous && !newParagraph && !words && fullLine(previous, edge, unit)) {
      out[out.length - 1] += (previous.trailingSpace ? ' ' : '') + indent + line.text;
    } else out.push(indent + line.text);
  });
  return out.join('\n');
}

const HYPHEN_AT_END = /\p{L}-$/u;
const CLAUSE_END = /[.,;:!?][_)\]”’"»]*$/u;
const LETTER_AT_START = /^\p{L}/u;

/** Joins a line broken between words, or inside a word at a hyphen, with what follows it. */
function joinBrokenLine(before: string, after: string, words: Vocabulary): string {
  if (!HYPHEN_AT_END.test(before) || !LETTER_AT_START.test(after)) return `${before} ${after}`;
  const suffix = after.split(/\s/, 1)[0]!;
  switch (hyphenAtBreak(before, suffix, words)) {
    case 'soft':
      return before.slice(0, -1) + after;
    case 'compound':
      return before + after;
    case 'open':
      return `${before} ${after}`;
  }
}

/** How often each word (lower case, without the punctuation around it) occurs in the document. */
interface Vocabulary {
  counts: Map<string, number>;
  /** The most frequent words: articles, conjunctions. */
  common: Set<string>;
}

/** This many of the most frequent words count as function words (`and`, `und`, `et`). */
const COMMON_WORDS = 30;

function vocabulary(pages: Line[][]): Vocabulary {
  const counts = new Map<string, number>();
  for (const lines of pages) {
    for (const line of lines) {
      for (const token of line.text.split(/\s+/)) {
        const word = bare(token);
        if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    }
  }
  const common = [...counts].filter(([, n]) => n >= 3).sort((a, b) => b[1] - a[1]).slice(0, COMMON_WORDS);
  return { counts, common: new Set(common.map(([w]) => w)) };
}

const bare = (token: string) => token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toLowerCase();

/**
 * What the hyphen at a line's end is, when the next line starts with a letter: `soft` when the line was
 * broken inside a word (the word is whole without it), `compound` when it belongs to a hyphenated word
 * broken after its hyphen, `open` when it stands before a space (`fore- and aft`, `Kram- und
 * Trödelbude`). The document itself is asked first: a word found elsewhere whole or hyphenated is that
 * word. Otherwise a function word after the hyphen leaves it open, a capital letter makes a compound
 * (a hyphenation program never leaves one after its break), and anything else was hyphenated.
 */
function hyphenAtBreak(before: string, suffix: string, words: Vocabulary): 'soft' | 'compound' | 'open' {
  const prefix = before.slice(before.search(/\S+$/), -1);
  const head = bare(prefix);
  const tail = bare(suffix);
  if (words.counts.has(`${head}-${tail}`)) return 'compound';
  if (words.counts.has(head + tail)) return 'soft';
  if (words.common.has(tail)) return 'open';
  return /^\p{Lu}/u.test(suffix) ? 'compound' : 'soft';
}

/**
 * In proportional type a line is broken by the typesetter, who may hyphenate a word that does not fit.
 * Lines are kept as they are (their breaks are all there is to tell verse from prose), but a word
 * hyphenated at a line's end is made whole on that line: the line ends near the right edge, with a word
 * that would not have fitted whole, and the next line of the paragraph, on the same page or the next,
 * starts with the rest of it.
 */
function joinHyphenatedWords(pages: Line[][], gap: number, words: Vocabulary): void {
  // The right edge of odd and of even pages, which books set apart.
  const edges = [0, 0];
  pages.forEach((lines, p) => lines.forEach((l) => (edges[p % 2] = Math.max(edges[p % 2]!, l.end))));
  for (let p = pages.length - 1; p >= 0; p--) {
    const lines = pages[p]!;
    for (let i = lines.length - 1; i >= 0; i--) {
      const previous = i > 0 ? lines[i - 1] : pages[p - 1]?.at(-1);
      if (!previous || (i > 0 && gap > 0 && previous.y - lines[i]!.y > PARAGRAPH_GAP * gap)) continue;
      if (makeWhole(previous, lines[i]!, edges[(i > 0 ? p : p - 1) % 2]!, words)) lines.splice(i, 1);
    }
  }
}

/** Makes a word hyphenated at the end of `previous` whole there; true when nothing is left of `line`. */
function makeWhole(previous: Line, line: Line, edge: number, words: Vocabulary): boolean {
  if (!HYPHEN_AT_END.test(previous.text) || !LETTER_AT_START.test(line.text)) return false;
  const suffix = line.text.split(/\s/, 1)[0]!;
  const suffixWidth = ((line.end - line.x) * [...suffix].length) / [...line.text].length;
  if (previous.end + suffixWidth <= edge) return false;
  const kind = hyphenAtBreak(previous.text, suffix, words);
  if (kind === 'open') return false;
  previous.text = (kind === 'soft' ? previous.text.slice(0, -1) : previous.text) + suffix;
  line.text = line.text.slice(suffix.length).trimStart();
  return line.text === '';
}
