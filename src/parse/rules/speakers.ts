import { isNumbered, labelKey, tokensOf, type Person, type Roster } from './characters.js';
import type { Cues } from './cue-scan.js';
import type { Cue } from './cues.js';
import { buildNameIndex, type NameIndex } from './directions.js';
import { isPluralOf, labelShape } from './joint.js';
import type { LowerCount } from './labels.js';
import type { Unit } from './layout.js';
import { numberValue, wordValue } from './numbers.js';
import { nameKey } from './text.js';

// Who the accepted labels are: solo labels resolved against the cast and each other, before the play is
// read line by line.

export interface Speakers {
  /** Person of each label key; labels first met while reading the play are added to it. */
  byLabel: Map<string, Person>;
  /** Finds the persons a stage direction names. */
  nameIndex: NameIndex;
  /** Persons with a speech of their own: only they are put on stage by an entrance. */
  speaking: Set<number>;
  /** Who speaks alone in each scene, for labels such as `MURDERERS` that name several of them. */
  sceneSpeakers: Map<number, Set<number>>;
  /** Persons by the last word of their labels (`WITCH` → FIRST WITCH, SECOND WITCH). */
  headsOf: Map<string, Person[]>;
}

/** Resolves the accepted labels of the play from `startUnit` on to persons of the roster. */
export function resolveSpeakers(
  units: Unit[],
  startUnit: number,
  { roster, stats, accepted, lowerCounts, cueUnits, pieceAt }: Cues,
): Speakers {
  const soloLabels: Array<{ label: string; count: number }> = [];
  // Labels that speak one right after the other are two people, however alike their names.
  const adjacentPairs = new Set<string>();
  let prevKey: string | null = null;
  for (let i = startUnit; i < units.length; i++) {
    if (units[i]!.headings) {
      prevKey = null;
      continue;
    }
    const cue = cueUnits.get(i);
    if (!cue) continue;
    const key = labelKey(cue.label);
    if (labelShape(cue.label).kind !== 'solo') continue;
    if (prevKey && prevKey !== key) adjacentPairs.add(`${prevKey}|${key}`).add(`${key}|${prevKey}`);
    prevKey = key;
  }
  for (const [key, s] of stats) {
    if (!accepted.has(key)) continue;
    const shape = labelShape(s.printed);
    if (shape.kind === 'solo') soloLabels.push({ label: s.printed, count: s.count });
    if (shape.kind === 'joint') for (const p of shape.parts) if (!stats.has(labelKey(p))) soloLabels.push({ label: p, count: 0 });
  }
  const byLabel = roster.resolve(soloLabels, (a, b) => adjacentPairs.has(`${a}|${b}`));
  const firstSpeech = new Map<string, number>();
  for (const [u, cue] of cueUnits) {
    const key = labelKey(cue.label);
    if (u >= startUnit && !(firstSpeech.get(key)! <= u)) firstSpeech.set(key, u);
  }
  plainIsFirst(byLabel, firstSpeech, roster);
  revealIdentities(
    [...cueUnits.entries()].filter(([u]) => u >= startUnit).sort((a, b) => a[0] - b[0]),
    byLabel,
    lowerCounts,
    (u) => (u >= 0 && !units[u]!.headings ? pieceAt(u).joined : ''),
  );
  const nameIndex = buildNameIndex(
    roster.persons.map((p) => ({ id: p.id, names: [p.name, ...p.labels, ...distinctiveTokens(p, roster.persons)] })),
  );
  const speaking = new Set([...byLabel.values()].map((p) => p.id));
  const sceneSpeakers = new Map<number, Set<number>>();
  let no = 0;
  for (let i = startUnit; i < units.length; i++) {
    if (units[i]!.headings) no++;
    const cue = cueUnits.get(i);
    const p = cue && byLabel.get(labelKey(cue.label));
    if (!p) continue;
    if (!sceneSpeakers.has(no)) sceneSpeakers.set(no, new Set());
    sceneSpeakers.get(no)!.add(p.id);
  }
  const headsOf = new Map<string, Person[]>();
  for (const [key, p] of byLabel) {
    // `BEIDE JÄGER` names two of the hunters; it is not a hunter of its own.
    const shape = labelShape(key);
    if (shape.kind !== 'solo' || shape.pair) continue;
    const head = key.split(' ').pop()!;
    const list = headsOf.get(head) ?? [];
    if (!list.includes(p)) list.push(p);
    headsOf.set(head, list);
  }
  return { byLabel, nameIndex, speaking, sceneSpeakers, headsOf };
}

/**
 * A plain role label (`MURDERER`) beside numbered ones (`FIRST MURDERER`) is the first of them when nothing
 * else can be meant: the cast counts the role (`Three Murderers`), so any of them is one of the numbered,
 * or the plain label speaks before any numbered one, which is how a second one joining the scene makes
 * the first one `First`. A plain label met only after the numbered ones may be someone new (a player
 * who is not the `FIRST PLAYER` of an earlier scene).
 */
function plainIsFirst(byLabel: Map<string, Person>, firstSpeech: Map<string, number>, roster: Roster): void {
  const numbered = new Map<string, Array<{ key: string; n: number }>>();
  for (const key of byLabel.keys()) {
    if (!isNumbered(key) || !key.includes(' ')) continue;
    const [ord, ...rest] = key.split(' ');
    const n = numberValue(ord!);
    if (n === null) continue;
    const role = rest.join(' ');
    numbered.set(role, [...(numbered.get(role) ?? []), { key, n }]);
  }
  const counted = (head: string) =>
    roster.persons.some((p) => {
      if (!p.fromCast) return false;
      const toks = tokensOf(p.name, true);
      const at = toks.findIndex((t) => (wordValue(t) ?? 0) >= 2);
      return at >= 0 && toks.slice(at + 1).some((t) => t === head || isPluralOf(t, head));
    });
  for (const [role, keys] of numbered) {
    const plain = byLabel.get(role);
    const first = keys.find((k) => k.n === 1);
    if (!plain || !first || isNumbered(role)) continue;
    const person = byLabel.get(first.key)!;
    if (person === plain) continue;
    const plainAt = firstSpeech.get(role) ?? Infinity;
    const before = keys.every((k) => (firstSpeech.get(k.key) ?? Infinity) > plainAt);
    if (!before && !counted(role.split(' ').pop()!)) continue;
    byLabel.set(role, person);
    for (const l of [...plain.labels]) {
      if (labelKey(l) !== role) continue;
      plain.labels.delete(l);
      person.labels.add(l);
    }
  }
}

/** Words of a cast name no one else's name has, so a direction can name the person by one (`Helmer`). */
function distinctiveTokens(p: Person, all: Person[]): string[] {
  if (!p.fromCast) return [];
  // `Helmer's` in `Helmer's three young children` names Helmer, not the children.
  const toks = p.name.split(/\s+/).filter((w) => w.length >= 4 && /^\p{Lu}/u.test(w) && !/['’]s$/u.test(w));
  return toks.filter((t) => all.filter((o) => o.name.split(/\s+/).some((w) => nameKey(w) === nameKey(t))).length === 1);
}

/**
 * A part first labelled by what the audience sees (`MAN`) and later by name, when the text says so: the
 * named person's first entrance is described as "the man" (`He is the man of the adventure`), and the
 * plain label is never used again. The two labels are then one person.
 */
function revealIdentities(
  cues: Array<[number, Cue]>,
  byLabel: Map<string, Person>,
  lower: LowerCount,
  textOf: (unit: number) => string,
): void {
  const first = new Map<Person, number>();
  const last = new Map<Person, number>();
  for (const [unit, cue] of cues) {
    const p = byLabel.get(labelKey(cue.label));
    if (!p) continue;
    if (!first.has(p)) first.set(p, unit);
    last.set(p, unit);
  }
  // What is printed just before a person's first speech, in lower case for a quick look.
  const entrances = new Map<number, string>();
  const entrance = (at: number): string => {
    let t = entrances.get(at);
    if (t === undefined) {
      t = `${textOf(at - 2)}\n${textOf(at - 1)}`.toLowerCase();
      entrances.set(at, t);
    }
    return t;
  };
  for (const [key, plain] of [...byLabel]) {
    const word = key.split(' ');
    if (word.length !== 1 || plain.fromCast || lower(word[0]!) < 3) continue;
    if (labelKey(plain.name) !== key) continue;
    const end = last.get(plain);
    if (end === undefined) continue;
    const noun = word[0]!.toLowerCase();
    const described = new RegExp(`(?<![\\p{L}])(?:the|that|this)\\s+(?:same\\s+)?${noun}(?![\\p{L}])`, 'iu');
    const named = [...first].filter(([p, at]) => {
      if (p === plain || at <= end) return false;
      const before = entrance(at);
      return before.includes(noun) && described.test(before) && lower(labelKey(p.name)) === 0;
    });
    if (named.length !== 1) continue;
    const person = named[0]![0];
    for (const [k, p] of byLabel) {
      if (p !== plain) continue;
      byLabel.set(k, person);
      for (const l of plain.labels) person.labels.add(l);
    }
  }
}
