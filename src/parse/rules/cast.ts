import type { Block, SourceLine } from './text.js';
import { nameKey } from './text.js';

// The cast list: a heading such as `Dramatis Personae` or `PERSONNAGES`, then one person per line (or
// per paragraph), name first, then a description after a comma, a parenthesis or a dotted leader.

export interface CastEntry {
  name: string;
  description: string | null;
}

const CAST_HEADING = new RegExp(
  '^(?:the\\s+)?(?:' +
    [
      'dramatis person(?:ae|æ)',
      'persons(?: represented| of the (?:play|drama)| in the (?:play|drama))?',
      'characters(?: in the play| of the play| represented)?',
      'cast(?: of characters)?',
      'personnages',
      'acteurs',
      'personen(?: der handlung| des stückes)?',
      'mitwirkende',
      'personajes',
      'personaggi',
      'interlocutori',
      'действующие лица',
      'лица',
    ].join('|') +
    ')\\s*[.:]?$',
  'iu',
);

export function isCastHeading(line: string): boolean {
  return CAST_HEADING.test(line.trim());
}

const UNDERLINE = /^\s*[=\-_~*]{3,}\s*$/;
const PARTICLES = new Set(
  'of the and de du des la le les d l von van der den di da del della y e et und и де фон'.split(' '),
);
// Lines that end a cast list: the setting and time notes that follow it.
const SETTING = /^(?:scene|scène|szene|ort|lieu|time|place|setting|the scene|la scène|die szene|место действия|действие происходит)\b/iu;

// `usw.`, `etc.` closing a list of minor parts: the list goes on, but names no one.
const AND_SO_ON = /(?:^|\s*,\s*|\s+)(?:usw|etc|&c|u\.\s?s\.\s?w|и\s?т\.\s?д|и\s?др)\.?$/iu;
const CONNECTOR = /^(?:and|und|et|e|y|и)\s+(?=\S)/iu;

/** Strips a full stop that ends a sentence, not one that ends an abbreviation (`D.D.`, `J.P.`). */
function dropFinalStop(s: string, stops: RegExp): string {
  return /(?:^|[\s.])\p{L}\.$/u.test(s) ? s : s.replace(stops, '');
}

/** A closing bracket at the end closes the one the separator opened, unless the text opens its own. */
function dropSeparatorClose(description: string): string {
  const opens = description.split('(').length;
  const closes = description.split(')').length;
  return closes > opens ? description.replace(/\)\s*\.?$/, '') : description;
}

function isNameWord(w: string): boolean {
  return /^[\p{Lu}\d]/u.test(w) || PARTICLES.has(w.toLowerCase()) || /^(?:a|an|the)$/i.test(w);
}

/** Splits `NAME, description` / `NAME (description)` / `NAME.... Actor` into its parts. */
export function parseCastLine(raw: string): CastEntry | null {
  let line = raw.trim().replace(/<[^>]+>/g, '');
  if (!line || UNDERLINE.test(line) || /^[([]/.test(line)) return null;
  // Dotted leaders, however short (`NORA (a younger daughter)..  Emma Vernon`), separate the role from
  // the actor who played it.
  line = line.replace(/\s*(?:\.{2,}|…+|_{3,})(?:\s.*)?$|(?<=\))\.{2,}.*$/, '');
  let description: string | null = null;
  let name = line;
  const sep = /\s*(?:,|\(|\s[-–—]\s|:)\s*/.exec(line);
  if (sep && sep.index > 0) {
    name = line.slice(0, sep.index);
    description = line.slice(sep.index + sep[0].length).trim();
    description = (sep[0].includes('(') ? dropSeparatorClose(description) : description).trim() || null;
  }
  name = dropFinalStop(name, /[.,;:]+$/).trim();
  if (description) description = dropFinalStop(description, /[.;]+$/).trim() || null;
  const words = name.split(/\s+/);
  if (!name || !/^[\p{Lu}\d]/u.test(name)) return null;
  // Cut `A Captain in Fortinbras's army` to its name, keeping the rest as description.
  const cut = words.findIndex((w, i) => i > 0 && !isNameWord(w));
  if (cut > 0 && words.length > 4) {
    description = [words.slice(cut - (PARTICLES.has(words[cut - 1]!.toLowerCase()) ? 1 : 0)).join(' '), description]
      .filter(Boolean)
      .join(', ');
    name = words.slice(0, cut - (PARTICLES.has(words[cut - 1]!.toLowerCase()) ? 1 : 0)).join(' ');
  }
  if (name.split(/\s+/).length > 6 || name.length > 60) return null;
  return { name, description };
}

function splitGroupList(entry: CastEntry): CastEntry[] {
  if (!entry.description) return [entry];
  // `Angelo, und einige Bediente`: what follows `and` is more people, not a description of Angelo.
  const more = CONNECTOR.exec(entry.description);
  if (more) {
    const rest = entry.description.slice(more[0].length).replace(AND_SO_ON, '');
    const others = parseCastLine(rest.charAt(0).toUpperCase() + rest.slice(1));
    return [{ name: entry.name, description: null }, ...(others ? [others] : [])];
  }
  const list = entry.description.replace(AND_SO_ON, '');
  const parts = list.split(/\s*,\s*(?:and\s+|und\s+|et\s+)?|\s+(?:and|und|et)\s+/);
  const nameLike = (p: string) => p.split(/\s+/).length <= 3 && /^(?:(?:a|an|the)\s+)?[\p{Lu}]/u.test(p);
  const named = parts.map((p) => p.replace(/\s*\([^)]*\)?$/, ''));
  if (parts.length >= 2 && named.every(nameLike)) {
    return [{ name: entry.name, description: null }, ...parts.map((p) => parseCastLine(p) ?? { name: p, description: null })];
  }
  return list === entry.description ? [entry] : [{ name: entry.name, description: list || null }];
}

export interface CastList {
  entries: CastEntry[];
  /** Index of the first block after the list. */
  endBlock: number;
}

function entriesOf(lines: SourceLine[]): { entries: CastEntry[]; rejected: number } {
  const entries: CastEntry[] = [];
  let rejected = 0;
  let group: { text: string; indent: number } | null = null;
  const pendingShared: CastEntry[] = [];
  for (const line of lines) {
    const t = line.text.trim();
    if (UNDERLINE.test(t)) continue;
    if (group && line.indent <= group.indent) group = null;
    if (/:$/.test(t) && t.length < 80) {
      group = { text: t.slice(0, -1), indent: line.indent };
      continue;
    }
    // `– Eltern der Emilia.`: one description shared by the entries just above it.
    if (/^[-–—]\s*\S/.test(t) && pendingShared.length) {
      const shared = t.replace(/^[-–—]\s*/, '').replace(/[.]+$/, '');
      for (const e of pendingShared) e.description = shared;
      pendingShared.length = 0;
      continue;
    }
    const entry = parseCastLine(t);
    if (!entry) {
      rejected++;
      continue;
    }
    if (!entry.description && group) entry.description = group.text;
    if (/,\s*$/.test(t) && !entry.description) pendingShared.push(entry);
    else pendingShared.length = 0;
    entries.push(...splitGroupList(entry));
  }
  return { entries, rejected };
}

/** Reads the cast list whose heading is the first line of `blocks[at]`, or returns null. */
export function readCastList(blocks: Block[], at: number): CastList | null {
  const head = blocks[at]!;
  if (!isCastHeading(head.lines[0]!.text)) return null;
  const entries: CastEntry[] = [];
  let i = at;
  let lines = head.lines.slice(1);
  let singleLineBlocks = true;
  for (;;) {
    if (lines.length) {
      if (SETTING.test(lines[0]!.text.trim())) break;
      const got = entriesOf(lines);
      if (got.entries.length === 0 && entries.length > 0) break;
      if (got.rejected > got.entries.length && entries.length > 0) break;
      entries.push(...got.entries);
      if (lines.filter((l) => !UNDERLINE.test(l.text)).length > 1) singleLineBlocks = false;
    }
    i++;
    // A list printed one entry per paragraph goes on while paragraphs stay single short lines.
    const next = blocks[i];
    if (!next) break;
    if (entries.length > 0 && !(singleLineBlocks && next.lines.length === 1 && next.lines[0]!.text.trim().length < 80)) break;
    if (entries.length === 0 && i - at > 2) break;
    lines = next.lines;
  }
  if (entries.length === 0) return null;
  return { entries: dedupe(entries), endBlock: i };
}

function dedupe(entries: CastEntry[]): CastEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = nameKey(e.name);
    if (!k || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
