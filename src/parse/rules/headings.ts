import { NUMBER_WORD_SOURCE, numberValue, romanValue } from './numbers.js';

// Act and scene headings. A heading is a whole line; the caller decides whether the line stands where a
// heading can stand (set apart from running text).

export type HeadingKind = 'act' | 'scene';

export interface Heading {
  kind: HeadingKind;
  /** Ordinal as printed, when there is one; a repeated 1 reveals a table of contents. */
  number: number | null;
  /** The heading as printed. */
  title: string;
  /** A bare numeral (`IV`) with no act or scene word: a scene only when the play numbers scenes so. */
  bare?: boolean;
}

const ACT_WORDS = 'act|acte|akt|aufzug|handlung|acto|atto|jornada|actus|действие|акт|дія|dejstvie';
const SCENE_WORDS = 'scene|scène|scéne|scena|escena|szene|auftritt|явление|картина|cuadro|scaena|tableau|сцена|yavlenie';
const SPECIAL_WORDS = 'prologue|prolog|prologo|prólogo|пролог|induction|epilogue|épilogue|epilog|epílogo|epilogo|эпилог';

const END = '(?![\\p{L}\\p{N}])';
const NUM = `(\\d{1,3}(?:st|nd|rd|th|er|re|e|ème)?|[IVXLC]{1,7}|${NUMBER_WORD_SOURCE})`;
const TAIL = `(?:\\s*[.:,;\\-–—]+\\s*(.{0,160})|\\s{2,}(.{0,160})|\\s*)`;

// `ACT I`, `Scene 2. A room`, `ACTE PREMIER`, `ДЕЙСТВИЕ ПЕРВОЕ`, `Act the First`
const WORD_NUM = new RegExp(`^(${ACT_WORDS}|${SCENE_WORDS})\\.?\\s+(?:the\\s+)?${NUM}${END}${TAIL}$`, 'iu');
// `FIRST ACT`, `Erster Aufzug`, `Zweiter Auftritt`, `1. Akt`, `Primer acto`
const NUM_WORD = new RegExp(`^${NUM}\\.?\\s+(${ACT_WORDS}|${SCENE_WORDS})${END}${TAIL}$`, 'iu');
const SPECIAL = new RegExp(`^(?:the\\s+)?(${SPECIAL_WORDS})${END}\\.?(?:\\s*[.:\\-–—]\\s*(.{0,120}))?$`, 'iu');
const BARE = /^([IVXLC]{1,7})\.?$/;
const ACT_SCENE = new RegExp(`^(?:${ACT_WORDS})\\.?\\s+${NUM}\\s*[.,:;]?\\s+((?:${SCENE_WORDS})${END}.*)$`, 'iu');

const actWord = new RegExp(`^(?:${ACT_WORDS})$`, 'iu');

function kindOf(word: string): HeadingKind {
  return actWord.test(word) ? 'act' : 'scene';
}

function numberOk(token: string): number | null | undefined {
  const v = numberValue(token);
  return v === null ? undefined : v;
}

/** One or two headings (`ACT 1, SCENE 2` gives both) for a line, or null. */
export function matchHeadings(line: string): Heading[] | null {
  const text = line.trim();
  if (text.length === 0 || text.length > 200) return null;
  const combined = ACT_SCENE.exec(text);
  if (combined) {
    const actNo = numberOk(combined[1]!);
    const scene = matchHeadings(combined[2]!);
    if (actNo !== undefined && scene && scene[0]!.kind === 'scene') {
      return [{ kind: 'act', number: actNo, title: text.slice(0, text.length - combined[2]!.length).replace(/[\s.,:;]+$/, '') }, scene[0]!];
    }
  }
  let m = WORD_NUM.exec(text);
  if (m) {
    const n = numberOk(m[2]!);
    if (n !== undefined && looksLikeTitleTail(m[3] ?? m[4])) return [{ kind: kindOf(m[1]!), number: n, title: text }];
  }
  m = NUM_WORD.exec(text);
  if (m) {
    const n = numberOk(m[1]!);
    if (n !== undefined && looksLikeTitleTail(m[3] ?? m[4])) return [{ kind: kindOf(m[2]!), number: n, title: text }];
  }
  m = SPECIAL.exec(text);
  if (m && looksLikeTitleTail(m[2])) return [{ kind: 'act', number: null, title: text }];
  m = BARE.exec(text);
  if (m) {
    const n = romanValue(m[1]!);
    if (n !== null) return [{ kind: 'scene', number: n, title: text, bare: true }];
  }
  return null;
}

// What follows the number must read as a place or a list of persons, not as the rest of a sentence
// (`Act one way, speak another`): it starts with a capital, a quote or a bracket.
function looksLikeTitleTail(tail: string | undefined): boolean {
  if (!tail) return true;
  const t = tail.trim();
  return t === '' || /^[\p{Lu}\p{N}"'“‘«(\[_*—–-]/u.test(t);
}
