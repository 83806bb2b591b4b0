import { skipJoiningDash } from './text.js';

// Speaker cues: the label that opens a speech, in every common layout —
//   NAME                (alone on its line; the speech follows)
//   NAME  text          (two spaces)
//   NAME. text / Name. text / NAME: text
//   NAME (aside). text / NAME [to X] text / Name (aside). text
//   NAME, direction. text / NAME, [to X]  text
//   NAME text           (no separator: capitals, then ordinary words)
// Whether a candidate really is a speaker is decided later, from how often and where it occurs.

export type CueSeparator = 'alone' | 'period' | 'colon' | 'spaces' | 'direction' | 'comma' | 'none';

export interface Cue {
  /** As printed, without the separator. */
  label: string;
  upper: boolean;
  /** Text of a direction attached to the label, without its brackets. */
  direction: string | null;
  sep: CueSeparator;
  /** Where the spoken text starts, as an offset into the string given to `parseCue`. */
  textStart: number;
  /** `Name:` alone on its line, the speech below it. */
  colonLine?: boolean;
  /** `Name.` or `Name:` alone on its line, the speech below it. */
  ownLine?: boolean;
}

const ABBREVIATIONS = new Set(
  'MR MRS MS DR ST MME MLLE M HR FR REV HON SGT CAPT COL GEN LT PROF MESSRS SIG SR SRA GOSP'.split(' '),
);
const CONNECTORS = new Set(['and', 'und', 'et', 'y', 'e', 'и', '&']);
const LOWER_PARTICLES = new Set(['de', 'du', 'des', 'la', 'le', 'von', 'van', 'der', 'den', 'di', 'da', 'del', 'of', 'the', "d'", 'zu']);
// `Trompeter und beide Jäger`: after a connector, a word for how many of a kind, then the kind.
const LOWER_QUANTIFIERS = new Set(['both', 'all', 'the', 'beide', 'beiden', 'alle', 'die', 'les', 'tous', 'los', 'las', 'todos', 'ambos', 'gli', 'tutti', 'i', 'оба', 'все']);

const WORD = /[\p{L}][\p{L}\p{M}'’\-]*/uy;
const NUMBER_PREFIX = /(?:\d{1,2}(?:st|nd|rd|th)?\.?|[IVX]{1,4}\.)\s+/uy;

function isUpper(word: string): boolean {
  return !/\p{Ll}/u.test(word);
}

function wordAt(text: string, pos: number): string | null {
  WORD.lastIndex = pos;
  const m = WORD.exec(text);
  return m ? m[0] : null;
}

// Finds the closing bracket for an opening one at `open`, allowing nesting and line breaks.
export function closingBracket(text: string, open: number, limit = 1500): number {
  const o = text[open]!;
  const c = o === '(' ? ')' : o === '[' ? ']' : o === '{' ? '}' : '';
  if (!c) return -1;
  let depth = 0;
  const end = Math.min(text.length, open + limit);
  for (let i = open; i < end; i++) {
    const ch = text[i];
    if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i;
  }
  return -1;
}

// A name has a few words; a list of names (`Trompeter, Dragoner, Erster Jäger`) a few more.
const MAX_LABEL_WORDS = 6;
const MAX_LIST_WORDS = 10;

interface LabelScan {
  label: string;
  end: number;
  upper: boolean;
}

function scanLabel(text: string): LabelScan | null {
  let pos = 0;
  NUMBER_PREFIX.lastIndex = 0;
  const num = NUMBER_PREFIX.exec(text);
  if (num) pos = num[0].length;
  const first = wordAt(text, pos);
  if (!first || !/^\p{Lu}/u.test(first)) return null;
  // A one-letter first word (`A Lord`, `A MAN'S VOICE`) takes its case from the next word.
  const probe = first.length >= 2 ? first : (wordAt(text, pos + first.length + 1) ?? first);
  const upper = isUpper(first) && isUpper(probe);
  pos += first.length;
  let words = 1;
  let maxWords = MAX_LABEL_WORDS;
  let end = pos;
  for (;;) {
    // Abbreviated title: `Mrs. Linde`, `MR. HELMER`.
    let p = end;
    const prev = text.slice(0, end).split(/[\s/&]/).pop()!;
    if (text[p] === '.' && ABBREVIATIONS.has(prev.toUpperCase()) && text[p + 1] === ' ') p += 1;
    // `Trompeter, Dragoner, Erster Jäger _zugleich._.`: names in ordinary case listed with commas.
    let joiner = /^(?: ?[/&] ?| )/u.exec(text.slice(p, p + 3)) ?? (!upper && text.startsWith(', ', p) ? [', '] : null);
    if (!joiner) break;
    if (joiner[0] === ', ') maxWords = MAX_LIST_WORDS;
    p += joiner[0].length;
    const w = wordAt(text, p);
    if (!w) break;
    // `MAURYA I seen it`: a one-letter word before ordinary words is the speech, not the name.
    // `OLIVIA O, you are sick`: so is a one-letter word with a comma or an exclamation after it.
    const speechStarts = w.length === 1 && /^(?: \p{Ll}|[,!?])/u.test(text.slice(p + 1, p + 3));
    if (!speechStarts && (upper ? isUpper(w) : /^\p{Lu}/u.test(w))) {
      end = p + w.length;
      if (++words >= maxWords) break;
      continue;
    }
    // `Gwendolen and Cecily`, `LE MARQUIS de X`: a small word, then the name goes on.
    const lw = w.toLowerCase();
    // `TOBY And I can cut the mutton`: a capitalised `And` after a name in capitals starts the speech.
    const sentenceStart = upper && w !== lw;
    if ((CONNECTORS.has(lw) || LOWER_PARTICLES.has(lw)) && !sentenceStart) {
      const after = p + w.length;
      if (text[after] !== ' ') break;
      const w2 = wordAt(text, after + 1);
      if (w2 && (upper ? isUpper(w2) && /\p{Lu}/u.test(w2) : /^\p{Lu}/u.test(w2))) {
        end = after + 1 + w2.length;
        words += 2;
        if (words >= maxWords) break;
        continue;
      }
      const then = after + 1 + (w2?.length ?? 0);
      const w3 = w2 && CONNECTORS.has(lw) && LOWER_QUANTIFIERS.has(w2) && text[then] === ' ' ? wordAt(text, then + 1) : null;
      if (w3 && !upper && /^\p{Lu}/u.test(w3)) {
        end = then + 1 + w3.length;
        words += 3;
        if (words >= maxWords) break;
        continue;
      }
    }
    break;
  }
  // `CRIADO 2.º`, `SOLDADO 1`: a number after the name tells apart several people of one kind.
  NUMBER_SUFFIX.lastIndex = end;
  const suffix = NUMBER_SUFFIX.exec(text);
  if (suffix) end += suffix[0].length;
  return { label: text.slice(0, end), end, upper };
}

// A number and its ordinal mark, where the line ends or a separator follows.
const NUMBER_SUFFIX = /[ \t]+\d{1,2}(?:\.?[ºª°])?(?=[ \t]*(?:\n|$)|[.:][ \t\n]|[.:]$)/uy;

function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  return pos;
}

function skipWhite(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  return pos;
}

/**
 * Reads a cue at the start of `text` (a paragraph, left-trimmed, lines joined with `\n`).
 * Returns null when the start cannot be a cue in any layout.
 */
export function parseCue(text: string): Cue | null {
  const cue = parseCueAt(text) ?? ownLineCue(text);
  if (cue && (cue.sep === 'colon' || cue.sep === 'period') && text.slice(0, cue.textStart).includes('\n')) {
    cue.ownLine = true;
    if (cue.sep === 'colon') cue.colonLine = true;
  }
  return cue;
}

// `El viejo de Cures:`, `Графиня внучка.`, `Г. N.`, `1-я княжна.` alone on its line, the speech below: the
// whole line names the speaker, small words in lower case, initials and ordinals and all.
const OWN_LINE = /^(?:\p{Lu}\.[ \t])?[\p{Lu}\d][^.!?;,:()[\]_\n]{0,45}([.:])[ \t]*(?=\n)/u;

function ownLineCue(text: string): Cue | null {
  const m = OWN_LINE.exec(text);
  if (!m) return null;
  const label = m[0].slice(0, m[0].lastIndexOf(m[1]!)).trim();
  const words = label.split(/\s+/);
  if (words.length > 6 || label.replace(/[^\p{L}]/gu, '').length < 2) return null;
  const colon = m[1] === ':';
  return { label, upper: isUpper(label), direction: null, sep: colon ? 'colon' : 'period', textStart: skipWhite(text, m[0].length), colonLine: colon };
}

function parseCueAt(text: string): Cue | null {
  const scan = scanLabel(text);
  if (!scan) return null;
  const { label, upper } = scan;
  const letters = label.replace(/[^\p{L}]/gu, '');
  if (letters.length < 2 && !/^\d/.test(label)) return null;
  let pos = scan.end;
  const ch = text[pos];
  const make = (sep: CueSeparator, textStart: number, direction: string | null = null): Cue => ({
    label: label.trim(),
    upper,
    direction,
    sep,
    textStart,
  });
  if (ch === undefined || ch === '\n') return upper ? make('alone', skipWhite(text, pos)) : null;
  if (ch === '.' || ch === ':') {
    const after = text[pos + 1];
    // `Nora.--that I have`: a dash may follow the stop directly.
    const dash = /^(?:--|—|–)/.test(text.slice(pos + 1, pos + 3));
    if (after !== undefined && after !== ' ' && after !== '\n' && after !== '\t' && !dash) return null;
    // `DON FÉLIX.—¿Quién llama?`: the dash belongs to the separator.
    const start = skipWhite(text, pos + 1 + (dash ? (text[pos + 1] === '-' ? 2 : 1) : 0));
    return make(ch === '.' ? 'period' : 'colon', start);
  }
  if (ch === ',' && upper) {
    const p = skipSpaces(text, pos + 1);
    if (text[p] === '[' || text[p] === '(') {
      const close = closingBracket(text, p);
      if (close < 0) return null;
      const q = text[close + 1] === '.' || text[close + 1] === ':' ? close + 2 : close + 1;
      return make('comma', skipWhite(text, q), text.slice(p + 1, close).trim());
    }
    // `HARPAGON, à part.`: a short direction up to the first full stop.
    const stop = /[.:](?=\s|$)/g;
    stop.lastIndex = p;
    const m = stop.exec(text);
    if (!m || m.index - p > 100 || text.slice(p, m.index).includes('\n')) return null;
    const dir = text.slice(p, m.index).trim();
    if (!dir) return null;
    return make('comma', skipWhite(text, m.index + 1), dir);
  }
  if (ch === ' ' || ch === '\t') {
    const p = skipSpaces(text, pos);
    const next = text[p];
    if (next === '(' || next === '[') {
      const close = closingBracket(text, p);
      if (close < 0) return null;
      let q = close + 1;
      if (text[q] === '.' || text[q] === ':') q++;
      else if (!upper && text[q] !== ' ' && text[q] !== '\n' && q < text.length) return null;
      // `Nora (after a pause.) Torvald!`: the full stop may stand inside the bracket.
      const stopInside = /[.!]$/.test(text.slice(p + 1, close).trim());
      if (!upper && text[close + 1] !== '.' && text[close + 1] !== ':' && text[close] !== ']' && !stopInside) return null;
      return make('direction', skipJoiningDash(text, skipWhite(text, q)), text.slice(p + 1, close).trim());
    }
    // `Kroat _läßt das Halsband spielen._. 's ist aber…`: a direction in underscores, then the stop.
    if (next === '_') {
      const close = text.indexOf('_', p + 1);
      const eol = text.indexOf('\n', p);
      if (close < 0 || (eol >= 0 && eol < close) || close === p + 1) return null;
      const q = close + 1;
      if (text[q] !== '.' && text[q] !== ':') return null;
      return make('direction', skipJoiningDash(text, skipWhite(text, q + 1)), text.slice(p + 1, close).trim());
    }
    if (next === undefined || next === '\n') return upper ? make('alone', skipWhite(text, p)) : null;
    if (!upper) return null;
    if (p - pos >= 2) return make('spaces', p);
    // No separator at all: capitals, then a word in ordinary case (`CATHLEEN She's lying down`).
    const lead = /^["'“‘«„(]?/u.exec(text.slice(p, p + 1))![0].length;
    const w = wordAt(text, p + lead);
    // `MALVOLIO "M.O.A.I. doth sway`: an opening quote and a capital start a speech too.
    const quoted = lead > 0 && w !== null && /^\p{Lu}/u.test(w);
    if (w && (quoted || /^\p{Lu}['’]?\p{Ll}/u.test(w) || (w.length === 1 && /^\p{Lu}(?: \p{Ll}|[,!?])/u.test(text.slice(p + lead, p + lead + 3))))) {
      return make('none', p);
    }
    return null;
  }
  return null;
}
