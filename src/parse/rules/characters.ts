import type { CastEntry } from './cast.js';
import { isPluralOf } from './joint.js';
import { displayCase, nameKey } from './text.js';

// Who speaks: printed labels resolved to persons. A label joins a cast entry when it is the entry's name,
// part of it (`KING` → `KING CLAUDIUS`, `Helmer` → `Torvald Helmer`), the name plus a surname
// (`Odoardo Galotti` → `Odoardo`) or the role its description gives (`Nurse` → `Anne, their nurse`).
// Labels that never meet a cast entry become persons of their own, and a short label joins a longer one
// it is part of (`Claudia` → `Claudia Galotti`) unless a word such as LADY or YOUNG makes them two people.
// Two labels that ever answer each other are never one person.

export interface Person {
  id: number;
  name: string;
  description: string | null;
  labels: Set<string>;
  fromCast: boolean;
}

const ARTICLES = new Set('THE A AN LE LA LES L DER DIE DAS DEN EIN EINE EL LOS LAS IL LO GLI UN UNE UNO UNA'.split(' '));
/** Words that make `LADY MACBETH` someone other than `MACBETH`. */
const DISTINGUISHING = new Set(
  'LADY YOUNG OLD LITTLE ELDER YOUNGER JUNIOR SENIOR JR SR JUNGE JUNGER ALTE ALTER JEUNE VIEUX VIEILLE PETIT PETITE GRAND MOTHER FATHER WIFE SON DAUGHTER BROTHER SISTER WIDOW MRS MISS MADAME MADEMOISELLE FRAU FRAULEIN'.split(
    ' ',
  ),
);
const ORDINAL_WORDS =
  /^(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ERSTE[RS]?|ZWEITE[RS]?|DRITTE[RS]?|VIERTE[RS]?|PREMIER|PREMIERE|SECOND|DEUXIEME|TROISIEME|QUATRIEME|PRIMERO|SEGUNDO|TERCERO|PRIMO|SECONDO|TERZO|ПЕРВЫЙ|ВТОРОЙ|ТРЕТИЙ|ПЕРВАЯ|ВТОРАЯ|\d+(?:ST|ND|RD|TH)?)$/;

/** Name words without leading articles; a cast entry also drops possessives (`Helmer's three children`). */
const tokenCache = new Map<string, string[]>();

export function tokensOf(name: string, castEntry = false): string[] {
  const cacheKey = castEntry ? `\u0000${name}` : name;
  const hit = tokenCache.get(cacheKey);
  if (hit) return hit;
  const toks = computeTokens(name, castEntry);
  if (tokenCache.size > 50_000) tokenCache.clear();
  tokenCache.set(cacheKey, toks);
  return toks;
}

function computeTokens(name: string, castEntry: boolean): string[] {
  const words = name.split(/\s+/).filter((w) => !castEntry || !/['’]s$/i.test(w));
  const toks = nameKey(words.join(' ')).split(' ').filter(Boolean);
  while (toks.length > 1 && ARTICLES.has(toks[0]!)) toks.shift();
  return toks;
}

/** Key under which label variants (`DIE ZWEITE MAGD`, `Zweite Magd`) count as one. */
export function labelKey(label: string): string {
  return tokensOf(label).join(' ');
}

export function isNumbered(key: string): boolean {
  return ORDINAL_WORDS.test(key.split(' ')[0] ?? '');
}

/** Words for a voice heard, in the languages of the number words. */
export const VOICE_WORDS = ['voice', 'voices', 'stimme', 'stimmen', 'voix', 'voz', 'voces', 'voce', 'voci', 'голос', 'голоса', 'röst', 'röster', 'stem', 'stemme'];
// One person's voice; `Voices of …` are several people.
const ONE_VOICE = 'voice|stimme|voix|voz|voce|голос|röst|stem|stemme';
const VOICE = [
  // `A MAN'S VOICE`, `Des Bauern Stimme`, `SVÄRMODRENS RÖST`: the owner, often in the genitive, then the word.
  new RegExp(`^((?:a|an|the|des|der)\\s+)?(.+?)(?:['’]s)?\\s+(?:${ONE_VOICE})$`, 'iu'),
  // `Voice of the Nurse`, `Голос Софии`, `Voix de Marianne`, `Stimme des Bauern`.
  new RegExp(`^(?:${ONE_VOICE})\\s+(?:of\\s+|de\\s+|di\\s+)?((?:a|an|the|des|der|du|del|della|de la|la|le)\\s+)?(.+)$`, 'iu'),
  /^()(.+?)\s*[([](?:off|off-?stage|within|outside|unseen)[)\]]$/i,
];

/**
 * Whose voice a label is, if it says. `Voz de vieja` (a voice of some old woman) names no one: the owner
 * is a name or comes with an article, unless the label is all capitals and cannot tell.
 */
function voiceOf(label: string): string | null {
  for (const re of VOICE) {
    const m = re.exec(label.trim());
    if (!m) continue;
    const owner = m[2]!;
    if (!m[1] && /^\p{Ll}/u.test(owner)) return null;
    return owner;
  }
  return null;
}

/** The one label key a voice's owner names, allowing the case ending the owner's name takes (`Софии`, `Bauern`). */
function ownerKey(inner: string, keys: string[]): string | null {
  const key = labelKey(inner);
  if (keys.includes(key)) return key;
  if (key.includes(' ') || key.length < 4) return null;
  const hits = keys.filter((k) => !k.includes(' ') && k.length >= 4 && (isPluralOf(key, k) || sameStem(key, k)));
  return hits.length === 1 ? hits[0]! : null;
}

/** Two forms of one word differing only in their last letter (`СОФИИ`, `СОФИЯ`). */
function sameStem(a: string, b: string): boolean {
  return a.length === b.length && a.slice(0, -1) === b.slice(0, -1);
}

/** `HAM` for `HAMLET`, `LADY B` for `LADY BRACKNELL`: each word the start of the next word of the name. */
export function abbreviates(short: string[], full: string[]): boolean {
  if (short.length === 0 || short.length > full.length || short.join(' ') === full.join(' ')) return false;
  if (short.length === 1 && short[0]!.length < 3) return false;
  let j = 0;
  let cut = false;
  for (const t of short) {
    // A real abbreviation drops at least two letters (`HAM` for `HAMLET`), not a case ending (`MAGD`, `MAGDE`).
    while (j < full.length && !(full[j] === t || (full[j]!.startsWith(t) && full[j]!.length - t.length >= 2))) j++;
    if (j === full.length) return false;
    if (full[j] !== t) cut = true;
    j++;
  }
  return cut;
}

function subset(a: string[], b: string[]): boolean {
  return a.every((t) => b.includes(t));
}

export class Roster {
  readonly persons: Person[] = [];
  private readonly byKey = new Map<string, Person>();
  private readonly castTokens: Array<{ person: Person; tokens: string[]; desc: string[] }> = [];

  constructor(cast: CastEntry[]) {
    for (const e of cast) {
      const person = this.addPerson(displayCase(e.name), e.description, true);
      this.castTokens.push({ person, tokens: tokensOf(e.name, true), desc: e.description ? tokensOf(e.description, true) : [] });
    }
  }

  private readonly names = new Set<string>();

  /** Adds a person under a name no one else in the play has (lines name their speakers). */
  addPerson(name: string, description: string | null, fromCast: boolean): Person {
    let unique = name.trim() || `Speaker ${this.persons.length + 1}`;
    for (let n = 2; this.names.has(unique); n++) unique = `${name} (${n})`;
    this.names.add(unique);
    const p: Person = { id: this.persons.length, name: unique, description, labels: new Set(), fromCast };
    this.persons.push(p);
    return p;
  }

  /** The cast entry a label names, if exactly one fits. */
  castMatch(label: string): Person | null {
    const toks = tokensOf(label);
    if (toks.length === 0) return null;
    const key = toks.join(' ');
    const exact = this.castTokens.filter((c) => c.tokens.join(' ') === key);
    if (exact.length) return exact[0]!.person;
    if (isNumbered(key)) return null;
    const within = this.castTokens.filter((c) => subset(toks, c.tokens));
    if (within.length === 1) return within[0]!.person;
    if (within.length > 1) return null;
    // `Odoardo Galotti` is `Odoardo` when the family name is one the cast uses.
    const short = this.castTokens.filter((c) => abbreviates(toks, c.tokens));
    if (short.length === 1) return short[0]!.person;
    const around = this.castTokens.filter(
      (c) =>
        c.tokens.length > 0 &&
        subset(c.tokens, toks) &&
        toks.every((t) => c.tokens.includes(t) || (!DISTINGUISHING.has(t) && this.isNameToken(t))),
    );
    if (around.length === 1) return around[0]!.person;
    if (toks.length === 1) {
      const roles = this.castTokens.filter((c) => c.desc.slice(0, 3).includes(toks[0]!) && !this.isNameToken(toks[0]!));
      if (roles.length === 1) return roles[0]!.person;
    }
    return null;
  }

  /** Every word of the cast's names. */
  castWords(): string[] {
    return this.castTokens.flatMap((c) => c.tokens);
  }

  private isNameToken(tok: string): boolean {
    return this.castTokens.some((c) => c.tokens.includes(tok));
  }

  /**
   * Resolves every accepted label (solo labels only) to a person.
   * `adjacent(a, b)` tells whether labels a and b ever speak one right after the other.
   */
  resolve(labels: Array<{ label: string }>, adjacent: (a: string, b: string) => boolean): Map<string, Person> {
    const out = new Map<string, Person>();
    const byPerson = new Map<Person, string[]>();
    const assign = (key: string, p: Person) => {
      out.set(key, p);
      byPerson.set(p, [...(byPerson.get(p) ?? []), key]);
    };
    const printed = new Map<string, string>();
    for (const { label } of labels) if (!printed.has(labelKey(label))) printed.set(labelKey(label), label);
    const keys = [...new Set(labels.map((l) => labelKey(l.label)))].filter(Boolean);
    const pending: string[] = [];
    const voices: Array<[string, string]> = [];
    for (const key of keys) {
      // `A MAN'S VOICE` is MAN speaking unseen.
      const inner = voiceOf(printed.get(key)!);
      const owner = inner ? ownerKey(inner, keys) : null;
      if (owner && owner !== key) {
        voices.push([key, owner]);
        continue;
      }
      const p = this.castMatch(printed.get(key)!);
      if (p) assign(key, p);
      else pending.push(key);
    }
    // Short labels join the one longer label they are part of.
    const own = new Map<string, Person>();
    pending.sort((a, b) => b.split(' ').length - a.split(' ').length || b.length - a.length);
    for (const key of pending) {
      const toks = key.split(' ');
      if (!isNumbered(key)) {
        const longer = [...own.keys()].filter((k) => {
          const kt = k.split(' ');
          return kt.length > toks.length && subset(toks, kt) && kt.every((t) => toks.includes(t) || !DISTINGUISHING.has(t));
        });
        if (longer.length === 1 && !isNumbered(longer[0]!)) {
          assign(key, own.get(longer[0]!)!);
          continue;
        }
        const fuller = [...own.keys()].filter((k) => abbreviates(toks, k.split(' ')));
        if (fuller.length === 1) {
          assign(key, own.get(fuller[0]!)!);
          continue;
        }
      }
      const p = this.byKey.get(key) ?? this.addPerson(displayCase(printed.get(key)!), null, false);
      this.byKey.set(key, p);
      own.set(key, p);
      assign(key, p);
    }
    for (const [key, inner] of voices) if (out.has(inner)) assign(key, out.get(inner)!);
    // Two labels that answer each other are two people: the one that is not the person's name leaves.
    for (const [person, ks] of byPerson) {
      if (ks.length < 2) continue;
      const personKey = labelKey(person.name);
      const anchor = ks.find((k) => k === personKey) ?? ks.reduce((a, b) => (b.split(' ').length > a.split(' ').length ? b : a));
      for (const k of ks) {
        if (k === anchor) continue;
        if (ks.some((o) => o !== k && adjacent(k, o))) {
          const p = this.addPerson(displayCase(printed.get(k)!), null, false);
          out.set(k, p);
        }
      }
    }
    for (const [key, p] of out) p.labels.add(printed.get(key)!);
    return out;
  }
}
