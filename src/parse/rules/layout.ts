import { readCastList, type CastEntry } from './cast.js';
import { matchHeadings, type Heading } from './headings.js';
import type { Block, SourceLine } from './text.js';
import { makeBlock } from './text.js';

// The book's paragraphs in reading order, with headings cut out of them, and where the play itself
// starts: after the title page, introductions, contents and cast lists.

export interface Unit {
  block: Block;
  /** Set when the paragraph is an act and/or scene heading. */
  headings: Heading[] | null;
}

const UNDERLINE = /^\s*[=\-_~*]{3,}\s*$/;

/** Splits headings out of paragraphs (`ACT 1` + underline, `SCENE 2. A room.` + `Enter X`). */
export function toUnits(blocks: Block[]): Unit[] {
  const units: Unit[] = [];
  for (const block of blocks) {
    let rest: SourceLine[] = block.lines;
    let blankBefore = block.blankBefore;
    for (;;) {
      const line = rest[0]!;
      const hs = matchHeadings(line.text);
      const next = rest[1];
      const isolated = !next || UNDERLINE.test(next.text);
      const explicit = hs !== null && hs.every((h) => !h.bare) && /\d|[IVXLC]|\p{L}{3}/u.test(line.text);
      const spaced = hs !== null && !hs.some((h) => h.bare) && /^[\p{Lu}\d]/u.test(line.text.trim());
      if (!hs || !(isolated || (explicit && spaced && hs.some((h) => h.number !== null)))) break;
      const used = next && UNDERLINE.test(next.text) ? 2 : 1;
      units.push({ block: makeBlock(rest.slice(0, used), blankBefore), headings: hs });
      rest = rest.slice(used);
      blankBefore = 0;
      if (rest.length === 0) break;
    }
    if (rest.length) units.push({ block: rest === block.lines ? block : makeBlock(rest, blankBefore), headings: null });
  }
  return units;
}

export interface Structure {
  /** Index of the first unit of the play (its first heading), or null when it has none. */
  startUnit: number | null;
  /** Headings before `startUnit` (tables of contents) are dropped; bare numerals kept only when the play numbers scenes so. */
  headingUnits: Set<number>;
  cast: CastEntry[];
  castRange: [number, number] | null;
}

function firstAfterRestart(positions: Array<{ unit: number; number: number | null }>): number | null {
  if (positions.length === 0) return null;
  let startIdx = 0;
  let seenNumbered = -1;
  for (let k = 0; k < positions.length; k++) {
    const n = positions[k]!.number;
    // A second `ACT I` means everything before was a list of contents.
    if (n === 1 && seenNumbered >= 0) startIdx = seenNumbered + 1;
    if (n !== null) seenNumbered = k;
  }
  return positions[startIdx]!.unit;
}

export function findStructure(units: Unit[]): Structure {
  const acts: Array<{ unit: number; number: number | null }> = [];
  const scenes: Array<{ unit: number; number: number | null }> = [];
  const bare: Array<{ unit: number; number: number | null }> = [];
  units.forEach((u, i) => {
    if (!u.headings) return;
    const h = u.headings[0]!;
    if (h.kind === 'act') acts.push({ unit: i, number: h.number });
    else if (h.bare) bare.push({ unit: i, number: h.number });
    else scenes.push({ unit: i, number: h.number });
  });
  // Bare numerals (`I`, `II` alone) count as scene headings only when no scene is headed in words and they
  // run in order from I.
  const bareOk = scenes.length === 0 && bare.length >= 2 && bare[0]!.number === 1 && bare[1]!.number === 2;
  const sceneList = bareOk ? bare : scenes;
  let startUnit = firstAfterRestart(acts);
  if (startUnit === null) startUnit = firstAfterRestart(sceneList);
  const headingUnits = new Set<number>();
  for (const p of [...acts, ...sceneList]) if (startUnit !== null && p.unit >= startUnit) headingUnits.add(p.unit);
  // A cast list stands before the play (or, in a few editions, right after the first act heading).
  let cast: CastEntry[] = [];
  let castRange: [number, number] | null = null;
  const blocks = units.map((u) => u.block);
  const limit = startUnit ?? Math.min(units.length, 400);
  for (let i = 0; i < limit; i++) {
    if (units[i]!.headings) continue;
    const list = readCastList(blocks, i);
    if (list) {
      cast = list.entries;
      castRange = [i, list.endBlock];
      break;
    }
  }
  return { startUnit, headingUnits, cast, castRange };
}
