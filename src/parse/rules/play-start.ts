import type { Cues } from './cue-scan.js';
import { isBareDirection, isSettingLabel, wholeDirection } from './directions.js';
import type { Unit } from './layout.js';
import { looksLikeProse, type Piece } from './piece.js';
import { ALL_BRACKETS } from './print-style.js';

// Where the play itself begins when it has no act or scene heading to begin at.

/** The first unit of the play: its first heading, else the cast list or first speech with its setting. */
export function findPlayStart(units: Unit[], { structure, castEnd, cueUnits, pieceAt }: Cues): number {
  if (structure.startUnit !== null) return withSetting(units, structure.startUnit, castEnd, cueUnits, pieceAt);
  const firstCue = [...cueUnits.keys()].filter((u) => u >= castEnd).sort((a, b) => a - b)[0];
  const start = firstCue === undefined ? units.length : structure.castRange && castEnd <= firstCue ? castEnd : firstCue;
  // The setting printed just before the first speech belongs to the play, with its `SCENE.` label.
  let first = start;
  for (;;) {
    const before = first - 1;
    if (before >= castEnd && isSetting(units[before]!, pieceAt(before))) first = before;
    else if (before - 1 >= castEnd && !units[before - 1]!.headings && isSettingLabel(pieceAt(before - 1).joined)) first = before - 1;
    else break;
  }
  return first;
}

function isSetting(unit: Unit, piece: Piece): boolean {
  if (unit.headings) return false;
  const t = piece.joined;
  return wholeDirection(t, new Set(ALL_BRACKETS)) !== null || isBareDirection(t) || (unit.block.indent >= 2 && looksLikeProse(piece));
}

// The longest a setting paragraph printed between the cast list and the first heading runs to.
const SETTING_MAX = 300;

/**
 * `Гостиная в усадьбе Поповой.` printed after the cast list and before the first scene heading: the setting
 * of the whole play, which belongs to it as its first direction rather than to the front matter.
 */
function withSetting(units: Unit[], start: number, castEnd: number, cueUnits: Cues['cueUnits'], pieceAt: Cues['pieceAt']): number {
  if (castEnd <= 0 || start <= castEnd || start - castEnd > 2) return start;
  for (let i = castEnd; i < start; i++) {
    const t = pieceAt(i).joined;
    if (units[i]!.headings || cueUnits.has(i) || t.length > SETTING_MAX || !/[.)\]]$/.test(t.trim())) return start;
  }
  return castEnd;
}
