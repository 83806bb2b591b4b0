import { labelKey } from './characters.js';
import { parseCue, type Cue } from './cues.js';
import { labelShape } from './joint.js';
import type { LabelStats } from './labels.js';

// Speeches run together in one paragraph (`… I go. HORATIO. Stay!`): where the next speaker's cue sits.

export interface EmbeddedPattern {
  re: RegExp | null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function embeddedCuePattern(stats: Map<string, LabelStats>, accepted: Set<string>): EmbeddedPattern {
  const labels = [...stats.entries()]
    .filter(([key, s]) => accepted.has(key) && s.count >= 3 && labelShape(s.printed).kind === 'solo')
    .map(([, s]) => s.printed)
    .sort((a, b) => b.length - a.length)
    .map(escapeRe);
  if (labels.length === 0) return { re: null };
  return { re: new RegExp(`(?:${labels.join('|')})(?=\\s*[(\\[]|[.:][ \\t\\n])`, 'gu') };
}

// What may stand right before a cue printed inside a paragraph: a sentence end, a dash, a line break.
const CUE_AFTER = /(?:[.!?…]["”»’)\]]?[ \t]{1,3}|--|—|–|\n)$/;

export function findEmbeddedCue(
  text: string,
  from: number,
  pattern: EmbeddedPattern,
  otherSpeaker: (c: Cue) => boolean,
): { at: number; cue: Cue } | null {
  if (!pattern.re) return null;
  pattern.re.lastIndex = from;
  for (let m = pattern.re.exec(text); m; m = pattern.re.exec(text)) {
    if (m.index <= from) continue;
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    if (!CUE_AFTER.test(before)) continue;
    // `Mrs. Helmer`: a title's full stop ends no sentence; a line that ends mid-sentence goes on.
    if (/(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|St|Mme|Mlle|M|Messrs|Rev|Hr|Fr)\.\s+$/.test(before)) continue;
    if (/[\p{L},]\s*\n$/u.test(before)) continue;
    const cue = parseCue(text.slice(m.index));
    if (!cue || labelKey(cue.label) !== labelKey(m[0])) continue;
    if (cue.sep !== 'period' && cue.sep !== 'colon' && cue.sep !== 'direction') continue;
    if (!otherSpeaker(cue)) continue;
    return { at: m.index, cue };
  }
  return null;
}
