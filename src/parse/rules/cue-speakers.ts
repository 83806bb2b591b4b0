import { isNumbered, labelKey, type Person, type Roster } from './characters.js';
import type { Cue } from './cues.js';
import { isPluralOf, labelShape } from './joint.js';
import type { Speakers } from './speakers.js';
import type { Stage } from './stage.js';
import { displayCase } from './text.js';

// The persons a speech's cue names: one person, several named together, or a group (`ALL`, `MURDERERS`)
// read from who is on stage.

export type SpeakersFor = (cue: Cue, stage: Stage, sceneNo: number, unknownGroup: () => void) => number[];

/**
 * Person ids for a cue. A label no one has is added as a person of its own; `unknownGroup` is told when a
 * group cue finds no one on stage to name.
 */
export function speakersFinder(roster: Roster, { byLabel, sceneSpeakers, headsOf }: Speakers): SpeakersFor {
  const kinds = new Map<string, Person[] | null>();
  // The persons a plural label names (`MURDERERS` → FIRST MURDERER, SECOND MURDERER), if it is one.
  // `BEIDE JÄGER`: after `both`, a noun whose plural is its singular names the kind too.
  const kindOf = (key: string, noun: string, pair: boolean): Person[] | null => {
    if (!kinds.has(key)) {
      let found: Person[] | null = null;
      for (const [head, persons] of headsOf) if (persons.length >= 2 && (isPluralOf(noun, head) || (pair && noun === head))) found = persons;
      kinds.set(key, found);
    }
    return kinds.get(key)!;
  };
  return (cue, { present, recent, current }, sceneNo, unknownGroup) => {
    const shape = labelShape(cue.label);
    const key = labelKey(cue.label);
    if (shape.kind === 'joint') {
      // `SCHARFSCHÜTZEN UND DRAGONER`: a plural part names every numbered one of that kind.
      const ids = shape.parts.flatMap((p) => {
        const part = labelShape(p);
        const kind = part.kind === 'solo' ? kindOf(labelKey(p), part.noun, part.pair) : null;
        return kind ?? [byLabel.get(labelKey(p)) ?? roster.castMatch(p)];
      });
      if (ids.every((p): p is Person => p !== null && p !== undefined)) return unique(ids.map((p) => p.id));
    }
    if (shape.kind === 'everyone') {
      const last = current ?? [];
      // `ALL` after `THIRD WITCH`: the witches, together.
      const troupe = last.length ? numberedHead(roster.persons[last[0]!]!) : null;
      if (troupe) {
        const members = present.filter((id) => numberedHead(roster.persons[id]!) === troupe);
        if (members.length >= 2) return members;
      }
      // Otherwise everyone on stage answers the one who just spoke.
      const others = shape.pair ? recent.filter((id) => !last.includes(id)).slice(0, 2) : present.filter((id) => !last.includes(id));
      const group = others.length >= (shape.pair ? 2 : 1) ? others : present;
      if (group.length >= 1) return group;
      unknownGroup();
    }
    if (shape.kind === 'solo') {
      // `MURDERERS`, `DIE BEIDEN MÄGDE`: those of that kind on stage, else those who speak in this scene.
      const persons = kindOf(key, shape.noun, shape.pair);
      if (persons) {
        const here = present.filter((id) => persons.some((p) => p.id === id)).map((id) => roster.persons[id]!);
        const inScene = persons.filter((p) => sceneSpeakers.get(sceneNo)?.has(p.id));
        const chosen = here.length >= 2 ? here : inScene.length >= 2 ? inScene : persons.length === 2 || !shape.pair ? persons : [];
        if (chosen.length >= 2) return chosen === here ? here.map((p) => p.id) : chosen.map((p) => p.id).sort((a, b) => a - b);
      }
    }
    const own = byLabel.get(key) ?? roster.castMatch(cue.label);
    if (own) return [own.id];
    const p = roster.persons.find((x) => labelKey(x.name) === key) ?? roster.addPerson(displayCase(cue.label), null, false);
    byLabel.set(key, p);
    p.labels.add(cue.label);
    return [p.id];
  };
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

/** `WITCH` for the person labelled `FIRST WITCH`; null for a person with a name. */
function numberedHead(p: Person): string | null {
  for (const l of p.labels) {
    const key = labelKey(l);
    if (isNumbered(key) && key.includes(' ')) return key.split(' ').pop()!;
  }
  return null;
}
