import type { Roster } from './characters.js';
import { VOICE_WORDS, abbreviates, isNumbered, labelKey } from './characters.js';
import type { Cue } from './cues.js';
import { labelShape, pluralForms } from './joint.js';
import { nameKey } from './text.js';

// Which cue candidates are speakers. A capitalised label is trusted when it recurs, stands in a cue
// layout, or names someone in the cast; a label in ordinary case (`Nora.`) must recur or be in the cast,
// and must not be an ordinary word (`Yes.`), which the rest of the text prints in lower case.

export interface Candidate {
  unit: number;
  cue: Cue;
  key: string;
  /** Found at the start of a paragraph (not at the start of a later line). */
  atBlockStart: boolean;
  /** The speech follows the cue in the same paragraph. */
  inlineText: boolean;
}

export interface LabelStats {
  count: number;
  upper: number;
  strong: number;
  bracketed: number;
  /** Times the speech follows in the cue's own paragraph. */
  inline: number;
  /** Times printed `Name:` alone on its line above the speech. */
  colonLine: number;
  /** Times printed `Name.` or `Name:` alone on the first line of a paragraph, the speech below. */
  apart: number;
  printed: string;
}

// What most recurring cues look like: capitals with no separator (`CATHLEEN She's`), or names in
// ordinary case (`Nora.`). A label seen once is judged against that.
function dominantLayout(stats: Map<string, LabelStats>): { unseparated: boolean; ordinaryCase: boolean; colonLines: boolean; apart: boolean } {
  let total = 0;
  let none = 0;
  let ordinary = 0;
  let colonLines = 0;
  let apart = 0;
  for (const s of stats.values()) {
    if (s.count < 3) continue;
    total += s.count;
    none += s.count - s.strong;
    ordinary += s.count - s.upper;
    colonLines += s.colonLine;
    apart += s.apart;
  }
  return {
    unseparated: total > 0 && none / total >= 0.3,
    ordinaryCase: total > 0 && ordinary / total >= 0.6,
    colonLines: total >= 20 && colonLines / total >= 0.8,
    apart: total >= 20 && apart / total >= 0.8,
  };
}

// Words that stand alone in capitals but are directions or book furniture, never speakers.
const NOT_SPEAKERS = new Set(
  [
    'CURTAIN', 'TABLEAU', 'THE END', 'END', 'FINIS', 'FIN', 'ENDE', 'VORHANG', 'RIDEAU', 'TELON', 'SIPARIO', 'ЗАНАВЕС',
    'КОНЕЦ', 'SCENE', 'SCÈNE', 'SZENE', 'ESCENA', 'SCENA', 'INTERMISSION', 'BLACKOUT', 'DARKNESS', 'SILENCE', 'PAUSE',
    'INTRODUCTION', 'PREFACE', 'CONTENTS', 'NOTE', 'NOTES', 'TIME', 'PLACE', 'SETTING', 'ENTER', 'EXIT', 'EXEUNT',
    'THE', 'AND', 'BUT', 'NOT', 'NO', 'YES', 'OH', 'AH', 'WHAT', 'WHY', 'HOW', 'OK', 'CHAPTER', 'BOOK', 'PART',
    'VOLUME', 'LONDON', 'PARIS', 'NEW YORK', 'PRINTED', 'COPYRIGHT', 'ALL RIGHTS RESERVED', 'DEDICATION',
  ].map(nameKey),
);

// One-letter words a speech can open with (`O`, `A`, `I`, `Y`, `À`), as they come out of `labelKey`.
const SPEECH_LETTERS = new Set(['O', 'A', 'I', 'Y', 'E', 'U']);

// Words that set one of a kind apart from the rest without naming anyone (`Andre Stimmen`, `Des Bauern Stimme`).
const QUALIFIERS = new Set(
  ['OTHER', 'OTHERS', 'ANOTHER', 'BOTH', 'OF', 'THE', 'ANDRE', 'ANDERE', 'ANDERN', 'BEIDE', 'DES', 'DER', 'AUTRE', 'AUTRES', 'DE', 'DU', 'OTRO', 'OTROS', 'OTRA', 'DEL', 'ALTRO', 'ALTRI', 'DI'].map(nameKey),
);

export function collectStats(candidates: Candidate[]): Map<string, LabelStats> {
  const stats = new Map<string, LabelStats>();
  for (const c of candidates) {
    let s = stats.get(c.key);
    if (!s) {
      s = { count: 0, upper: 0, strong: 0, bracketed: 0, inline: 0, colonLine: 0, apart: 0, printed: c.cue.label };
      stats.set(c.key, s);
    }
    s.count++;
    if (c.cue.upper) s.upper++;
    if (c.cue.sep !== 'none') s.strong++;
    if (c.cue.colonLine) s.colonLine++;
    if (c.cue.ownLine && c.atBlockStart) s.apart++;
    if (c.cue.sep === 'direction') s.bracketed++;
    if (c.inlineText) s.inline++;
  }
  return stats;
}

/** How often a word is printed in lower case in the text (so is an ordinary word, not a name). */
export type LowerCount = (word: string) => number;

// Letters that have case, by UTF-16 code unit, looked up once each: 1 no such letter, 2 lower case, 3 upper.
const CASED = new Uint8Array(65536);

function casedAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  let k = CASED[c]!;
  if (k === 0) {
    const ch = String.fromCharCode(c);
    const lower = ch.toLowerCase();
    k = lower === ch.toUpperCase() ? 1 : ch === lower ? 2 : 3;
    CASED[c] = k;
  }
  return k;
}

function isLetterAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && casedAt(text, i) > 1;
}

// Counting by search costs a pass over the text per word; once the searches add up to this many passes
// (an anthology with hundreds of labels), one pass that counts every word is cheaper.
const SEARCH_PASSES = 24;

/** Occurrences of each word printed in lower case, not after an apostrophe (`'tis`), in one pass. */
function countLowerWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    if (!isLetterAt(text, i)) {
      i++;
      continue;
    }
    const start = i;
    let lower = true;
    for (let k = casedAt(text, i); k > 1; k = i < text.length ? casedAt(text, i) : 0) {
      if (k === 3) lower = false;
      i++;
    }
    const quote = start > 0 && (text[start - 1] === "'" || text[start - 1] === '’');
    if (lower && !quote) {
      const w = text.slice(start, i);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}

function searchLower(text: string, w: string): number {
  let n = 0;
  for (let at = w ? text.indexOf(w) : -1; at >= 0; at = text.indexOf(w, at + w.length)) {
    const quote = at > 0 && (text[at - 1] === "'" || text[at - 1] === '’');
    if (!isLetterAt(text, at - 1) && !quote && !isLetterAt(text, at + w.length)) n++;
  }
  return n;
}

/** Counts a word's lower-case occurrences, on demand; only the words of candidate labels are asked for. */
export function lowerCaseCounter(text: string): LowerCount {
  const memo = new Map<string, number>();
  let searched = 0;
  let words: Map<string, number> | null = null;
  return (word: string) => {
    const w = word.toLowerCase();
    let n = memo.get(w);
    if (n === undefined) {
      if (!words && searched >= SEARCH_PASSES * text.length) words = countLowerWords(text);
      if (words) {
        // A phrase occurs no more often than its rarest word; most names never occur in lower case.
        const parts = w.split(/[^\p{L}]+/u).filter(Boolean);
        const rarest = parts.length ? Math.min(...parts.map((p) => words!.get(p) ?? 0)) : 0;
        n = parts.length === 1 && parts[0] === w ? rarest : rarest === 0 ? 0 : searchLower(text, w);
      } else {
        n = searchLower(text, w);
        searched += text.length;
      }
      memo.set(w, n);
    }
    return n;
  };
}

export interface Acceptance {
  accepted: Set<string>;
  rejected: Set<string>;
}

export function acceptLabels(
  stats: Map<string, LabelStats>,
  roster: Roster,
  lower: LowerCount,
): Acceptance {
  const accepted = new Set<string>();
  const rejected = new Set<string>();
  const layout = dominantLayout(stats);
  const speakers = [...stats].filter(([, o]) => o.count >= 2 && o.inline > 0).map(([k]) => ({ key: k, toks: k.split(' ') }));
  const speakerKeys = new Set(speakers.map((s) => s.key));
  const extendsSpeaker = (key: string): boolean => {
    const toks = key.split(' ');
    return speakers.some(({ key: k, toks: ot }) => {
      if (k === key) return false;
      if (abbreviates(ot, toks)) return true;
      return ot.length < toks.length && ot.every((t) => toks.includes(t)) && toks.every((t) => ot.includes(t) || lower(t) === 0);
    });
  };
  // The kinds of people the play has: words of its recurring speakers' labels and of its cast.
  let kinds: { words: Set<string>; plurals: Set<string> } | null = null;
  const kindWords = () => {
    if (!kinds) {
      const words = new Set(
        [...speakers.flatMap((s) => s.toks), ...roster.castWords(), ...VOICE_WORDS.map(nameKey)].filter((t) => t.length >= 3 && !isNumbered(t)),
      );
      kinds = { words, plurals: new Set([...words].flatMap(pluralForms)) };
    }
    return kinds;
  };
  // A word of a kind, its plural, or the singular of one (`Kürassiere`, `Scharfschütz`).
  const ofKind = (t: string) => {
    const { words, plurals } = kindWords();
    return words.has(t) || plurals.has(t) || pluralForms(t).some((p) => words.has(p));
  };
  const ofKnownKind = (key: string): boolean => {
    const toks = key.split(' ');
    if (toks.length > 4) return false;
    let kind = false;
    for (const t of toks) {
      if (ofKind(t)) kind = true;
      else if (!isNumbered(t) && !QUALIFIERS.has(t) && lower(t) > 0) return false;
    }
    return kind;
  };
  const isCommon = (label: string, count: number) =>
    label
      .split(/\s+/)
      .filter((w) => /^\p{L}/u.test(w))
      .every((w) => lower(w) > count);
  const soloOk = (key: string): boolean => {
    const s = stats.get(key);
    if (!s) return roster.castMatch(key) !== null;
    if (NOT_SPEAKERS.has(nameKey(s.printed)) || key === '') return false;
    // `HAMLET O, wonderful!`, once the two spaces after the label are lost: a speaker's label run into a
    // one-letter word that starts the speech. The cue is then shortened to the speaker.
    const toks = key.split(' ');
    if (toks.length >= 2 && SPEECH_LETTERS.has(toks.at(-1)!) && speakerKeys.has(toks.slice(0, -1).join(' '))) return false;
    const inCast = roster.castMatch(s.printed) !== null;
    // A speaker's speech follows the cue in its paragraph at least once; a repeated title never does.
    if (s.inline === 0 && s.bracketed === 0 && !(inCast && s.count >= 2)) return false;
    // A capitalised line set apart once, with nothing after it, is as likely a title as a speaker.
    if (s.upper * 2 >= s.count) return s.count >= 2 || inCast || s.inline > 0 || s.bracketed > 0 || (layout.unseparated && s.strong === 0);
    if (inCast && s.strong > 0) return true;
    // `Claudia Galotti.` or `Ludovico.` once, where `Claudia.` or `Lud.` speaks often: the full name of a
    // known speaker.
    if (s.count === 1 && s.strong === 1 && extendsSpeaker(key)) return true;
    // `Zweiter Arkebusier.`, `Kürassiere.`, `Andre Stimmen.` once, before a speech, in a play of `Name. text`
    // cues: one more of a kind of people the play already has, told apart by an ordinal, a word for
    // others, or words never printed in lower case.
    if (s.count === 1 && s.strong === 1 && s.inline === 1 && layout.ordinaryCase && ofKnownKind(key)) return true;
    // `Voces remotas:` alone on its line once, in a play whose every speaker is printed so.
    if (s.count === 1 && s.colonLine === 1 && layout.colonLines) return true;
    // `Servant (at the door). Excuse me`: a name with a bracketed direction, in a play whose cues look so.
    if (s.count === 1 && s.bracketed === 1 && layout.ordinaryCase) return true;
    // Words found in running text too (`La voz de la chimenea`, `Князь`) still name a speaker each time
    // they open a paragraph alone on their line above a speech, in a play that prints every speaker so.
    const apart = layout.apart && s.apart === s.count;
    return s.count >= 2 && s.strong === s.count && (apart || !isCommon(s.printed, s.count));
  };
  for (const [key, s] of stats) {
    const shape = labelShape(s.printed);
    let ok: boolean;
    if (shape.kind === 'joint') {
      // `Schützen und Wirt`: a part may be the people of a kind the play has, named once.
      const kindPart = (p: string) => layout.ordinaryCase && ofKnownKind(labelKey(p));
      ok = shape.parts.every((p) => soloOk(labelKey(p)) || roster.castMatch(p) !== null || kindPart(p)) || soloOk(key);
    } else if (shape.kind === 'everyone') {
      ok = s.upper > 0 || s.count >= 2;
    } else {
      ok = soloOk(key);
    }
    (ok ? accepted : rejected).add(key);
  }
  return { accepted, rejected };
}

/**
 * `CATHLEEN AND NORA UAH.`: a spoken word in capitals runs into the label. When the whole is no speaker
 * but its first words are, the cue is those words and the rest is speech.
 */
export function shortenCue(cue: Cue, text: string, isSpeaker: (label: string) => boolean): Cue | null {
  if (!cue.upper) return null;
  const words = [...cue.label.matchAll(/\S+/g)];
  for (let k = words.length - 1; k >= 1; k--) {
    const end = words[k - 1]!.index! + words[k - 1]![0].length;
    const label = cue.label.slice(0, end);
    if (isSpeaker(label)) {
      let start = end;
      while (start < text.length && /\s/.test(text[start]!)) start++;
      return { label, upper: true, direction: null, sep: 'none', textStart: start };
    }
  }
  return null;
}
