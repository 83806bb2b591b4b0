import type { ParsedPlay } from '../play.js';
import type { Analysis } from './analysis.js';
import { isCastHeading, readCastList } from './cast.js';
import { BY } from './frontmatter.js';
import { toUnits, type Unit } from './layout.js';
import type { Block, SourceLine } from './text.js';
import { toBlocks } from './text.js';

// Several plays in one text (an anthology, or files run together): where each play begins, so each is
// read on its own terms (its own cast, cue layout and language), then set one after another.

// A later cast list starts a play when the play's first act or scene follows it within this many paragraphs.
const NEAR = 12;
// Acts that start again at one after this many paragraphs start another play, not the play after its contents.
const PLAY_RUN = 60;
// The title page above a later play's cast list: a few short paragraphs at most.
const TITLE_PAGE = 4;

function opensPlay(unit: Unit): boolean {
  const hs = unit.headings;
  return !!hs && !hs[0]!.bare && (hs[0]!.number === 1 || hs[0]!.number === null);
}

// `EMILIA GALOTTI / Ein Trauerspiel / von Lessing`: short lines naming the play, not a speech.
function isTitlePage(block: Block): boolean {
  const lines = block.lines.map((l) => l.text.trim());
  if (lines.length < 2 || lines.length > 10 || lines.some((l) => l.length > 80)) return false;
  if (lines.slice(1).some((l) => BY.test(l))) return true;
  return lines.length <= 4 && !/\p{Ll}/u.test(lines[0]!) && !lines.some((l) => /[.!?…]$/.test(l));
}

/** Unit indices (after the first) where another play begins: a cast list that opens one, or acts restarting. */
function playStarts(units: Unit[]): number[] {
  const blocks = units.map((u) => u.block);
  const starts: number[] = [];
  let castSeen = false;
  let firstAct = -1;
  let highestAct = 0;
  let lastStart = 0;
  const startAt = (b: number) => {
    let at = b;
    for (let k = b - 1; k >= Math.max(lastStart + 1, b - TITLE_PAGE) && isTitlePage(blocks[k]!); k--) at = k;
    if (at > lastStart) starts.push(at);
    lastStart = at;
    firstAct = -1;
    highestAct = 0;
  };
  for (let b = 0; b < blocks.length; b++) {
    const hs = units[b]!.headings;
    if (!hs && isCastHeading(blocks[b]!.lines[0]!.text)) {
      const list = readCastList(blocks, b);
      if (!list) continue;
      let opens = false;
      for (let k = list.endBlock; k < Math.min(units.length, list.endBlock + NEAR) && !opens; k++) opens = opensPlay(units[k]!);
      if (castSeen && opens) startAt(b);
      castSeen = true;
      b = list.endBlock - 1;
      continue;
    }
    const act = hs?.find((h) => h.kind === 'act' && h.number !== null);
    if (!act) continue;
    if (act.number === 1 && highestAct >= 2 && b - firstAct >= PLAY_RUN) startAt(b);
    if (act.number === 1 && firstAct < 0) firstAct = b;
    highestAct = Math.max(highestAct, act.number!);
  }
  return starts;
}

function indexAt(lines: SourceLine[], offset: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface PlayText {
  lines: SourceLine[];
  units: Unit[];
}

/** The lines and paragraphs of each play of the text, in order; `ranges` are the stretches that belong to books. */
export function splitPlays(lines: SourceLine[], ranges: Array<[number, number]>): PlayText[] {
  const plays: PlayText[] = [];
  for (const [a, b] of ranges) {
    const body = lines.slice(a, b);
    const units = toUnits(toBlocks(body));
    let from = 0;
    let fromUnit = 0;
    for (const start of playStarts(units)) {
      const at = indexAt(body, units[start]!.block.start);
      plays.push({ lines: body.slice(from, at), units: units.slice(fromUnit, start) });
      from = at;
      fromUnit = start;
    }
    plays.push(from === 0 ? { lines: body, units } : { lines: body.slice(from), units: units.slice(fromUnit) });
  }
  const nonEmpty = plays.filter((p) => p.units.length > 0);
  return nonEmpty.length ? nonEmpty : [{ lines: [], units: [] }];
}

// A stretch with fewer speeches than this is front matter between plays, not a play.
export const MIN_PLAY_SPEECHES = 4;

/** The plays of one text as one playbook: their acts in order, one cast (one character per name). */
export function joinPlays(parts: Analysis[]): Analysis {
  const first = parts[0]!;
  const characters = new Map<string, ParsedPlay['characters'][number]>();
  const acts: ParsedPlay['acts'] = [];
  const uncertain: Analysis['uncertain'] = [];
  for (const part of parts) {
    for (const c of part.play.characters) {
      const known = characters.get(c.name);
      if (!known) characters.set(c.name, { ...c, aliases: [...c.aliases] });
      else {
        for (const a of c.aliases) if (!known.aliases.includes(a)) known.aliases.push(a);
        known.description ??= c.description;
      }
    }
    for (const u of part.uncertain) uncertain.push({ ...u, actIndex: u.actIndex + acts.length });
    acts.push(...part.play.acts);
  }
  const speeches = parts.reduce((n, p) => n + p.speeches, 0);
  return {
    play: { ...first.play, characters: [...characters.values()], acts },
    uncertain,
    boundaries: parts.flatMap((p) => p.boundaries),
    speeches,
    speakers: parts.reduce((n, p) => n + p.speakers, 0),
    repeated: parts.reduce((n, p) => n + p.repeated, 0),
    cueShare: speeches > 0 ? parts.reduce((n, p) => n + p.cueShare * p.speeches, 0) / speeches : 0,
  };
}
