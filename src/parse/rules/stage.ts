import { readMovement, type NameIndex } from './directions.js';

// Who is on stage while the play is read, which decides who a group cue (`ALL`, `BOTH`) names.

export interface Stage {
  /** On stage now, in order of arrival. */
  present: number[];
  /** Who spoke, most recent first. */
  recent: number[];
  /** The speakers of the speech being read. */
  current: number[] | null;
}

export function emptyStage(): Stage {
  return { present: [], recent: [], current: null };
}

/** A speech by `ids` begins: they are on stage and the most recent speakers. */
export function startSpeech(stage: Stage, ids: number[]): void {
  stage.current = ids;
  stage.recent = [...ids, ...stage.recent.filter((id) => !ids.includes(id))];
  for (const id of ids) if (!stage.present.includes(id)) stage.present.push(id);
}

/** Entrances and exits a direction reports; only persons who speak are tracked. */
export function applyMovement(stage: Stage, direction: string, nameIndex: NameIndex, speaking: Set<number>): void {
  const move = readMovement(direction, nameIndex);
  if (move.clear) stage.present = [...move.stay];
  const current = stage.current;
  if (move.speakerLeaves && current) stage.present = stage.present.filter((id) => !current.includes(id));
  stage.present = stage.present.filter((id) => !move.exit.includes(id));
  for (const id of move.enter) if (speaking.has(id) && !stage.present.includes(id)) stage.present.push(id);
}
