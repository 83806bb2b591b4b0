import { numberValue, romanValue } from './numbers.js';

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

const ACT_WORDS = 'act|acte|akt|akten|aufzug|handlung|acto|atto|jornada|actus|bedrijf|действие|акт|дія|dejstvie';
const SCENE_WORDS = 'scene|scène|scéne|scena|escena|szene|auftritt|scen|scenen|optrin|toneel|tooneel|явление|картина|cuadro|scaena|scoena|tableau|сцена|yavlenie';
const SPECIAL_WORDS = 'prologue|prolog|prologo|prólogo|пролог|induction|epilogue|épilogue|epilog|epílogo|epilogo|эпилог';

const SPECIAL = new RegExp(`^(?:the\\s+)?(?:${SPECIAL_WORDS})(?![\\p{L}])\\.?(?:\\s*[.:\\-–—]\\s*(.{0,120}))?$`, 'iu');
const BARE = /^([IVXLC]{1,7})\.?$/;
// Two words (an act or scene word and a number, either way round), then what follows them.
const TWO_WORDS = /^([\p{L}\p{N}]+(?:-[\p{L}]+)?)\.?\s+(?:the\s+)?([\p{L}\p{N}]+(?:-[\p{L}]+)?)(.*)$/iu;
const TAIL = /^(?:\s*[.:,;\-–—]+\s*|\s{2,}|\s*$)(.*)$/su;

const actWords = new Set(ACT_WORDS.split('|'));
const sceneWords = new Set(SCENE_WORDS.split('|'));

function kindOfWord(word: string): HeadingKind | null {
  const w = word.toLowerCase();
  return actWords.has(w) ? 'act' : sceneWords.has(w) ? 'scene' : null;
}


const FIRST_WORDS = new Set([...actWords, ...sceneWords, ...SPECIAL_WORDS.split('|'), 'the']);

// Cheap test before the full patterns: a heading's first word is an act or scene word, a number or a
// number word.
function mayBeHeading(text: string): boolean {
  const first = /^[\p{L}\p{N}]+/u.exec(text)?.[0];
  if (!first) return false;
  return FIRST_WORDS.has(first.toLowerCase()) || /^(?:\d|[IVXLC]+$)/.test(first) || numberValue(first) !== null;
}

/** One or two headings (`ACT 1, SCENE 2` gives both) for a line, or null. */
export function matchHeadings(line: string): Heading[] | null {
  const text = line.trim();
  if (text.length === 0 || text.length > 200 || !mayBeHeading(text)) return null;
  const two = TWO_WORDS.exec(text);
  if (two) {
    const [, w1, w2, rest] = two as unknown as [string, string, string, string];
    let kind = kindOfWord(w1);
    let number = kind ? numberValue(w2) : null;
    if (!kind || number === null) {
      kind = kindOfWord(w2);
      number = kind ? numberValue(w1) : null;
    }
    if (kind && number !== null) {
      const tail = TAIL.exec(rest);
      if (tail && looksLikeTitleTail(tail[1])) {
        const scene = kind === 'act' && tail[1] ? matchHeadings(tail[1]) : null;
        if (scene && scene.length === 1 && scene[0]!.kind === 'scene' && !scene[0]!.bare) {
          return [{ kind: 'act', number, title: text.slice(0, text.length - tail[1]!.length).replace(/[\s.,:;]+$/, '') }, scene[0]!];
        }
        return [{ kind, number, title: text }];
      }
    }
  }
  if (SPECIAL.test(text)) {
    const m = SPECIAL.exec(text)!;
    if (looksLikeTitleTail(m[1])) return [{ kind: 'act', number: null, title: text }];
  }
  const m = BARE.exec(text);
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
