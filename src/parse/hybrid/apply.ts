import { labelKeys } from '../../llm/cast.js';
import type { ParsedPlay, PlayLine } from '../play.js';
import { labelLength, type RegionAnswer } from './answer-schema.js';
import { regionCast } from './prompt.js';
import { lineOf, type Region, type RulesReading } from './regions.js';

// The rules' play with the model's answers laid over it. Only the uncertain part of each uncertain line can
// change, and only its type, its speakers and a speaker label at its start: the words are the rules'. An
// answer that would leave nothing to say keeps the rules' reading.

export interface RegionResult {
  /** Null when the model gave no usable answer: the rules' reading stands. */
  answer: RegionAnswer | null;
}

export function applyAnswers(reading: RulesReading, results: ReadonlyArray<RegionResult | null | undefined>): ParsedPlay {
  const play = structuredClone(reading.rules.play);
  const answered = reading.regions
    .map((region, i) => ({ region, answer: results[i]?.answer ?? null }))
    .filter((a): a is { region: Region; answer: RegionAnswer } => a.answer !== null);
  // Last line first: splitting a line shifts the lines after it, never those before.
  answered.sort((a, b) => b.region.actIndex - a.region.actIndex || b.region.sceneIndex - a.region.sceneIndex || b.region.lineIndex - a.region.lineIndex);
  for (const { region, answer } of answered) {
    // The ids the question offered, which come from the rules' own play (as it was asked), not the copy.
    applyAnswer(play, region, answer, regionCast(reading.rules.play, region).nameOf);
  }
  return play;
}

function applyAnswer(play: ParsedPlay, region: Region, answer: RegionAnswer, nameOfId: ReadonlyMap<string, string>): void {
  const line = lineOf(play, region);
  if (!line) return;
  let uncertain = line.text.slice(region.lineOffset).trimStart();
  if (answer.label !== null) {
    // The rules may already have taken the label off; then there is nothing to strip.
    const labelChars = labelLength(uncertain, answer.label);
    if (labelChars !== undefined) uncertain = uncertain.slice(labelChars);
  }
  uncertain = uncertain.trim();
  if (uncertain === '') return;

  const names: string[] = [];
  for (const id of answer.speakers) {
    const introduced = answer.newCharacters.find((c) => c.id === id);
    const name = introduced ? characterFor(play, introduced) : nameOfId.get(id);
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  if (answer.type === 'dialogue' && names.length === 0) return;

  const replacement: PlayLine = { ...line, type: answer.type, text: uncertain, characters: names };
  const kept = line.text.slice(0, region.lineOffset).trimEnd();
  const lines = play.acts[region.actIndex]!.scenes[region.sceneIndex]!.lines;
  lines.splice(region.lineIndex, 1, ...(kept ? [{ ...line, text: kept }] : []), replacement);
}

/** The play's character the model meant, by name or alias; added to the play when it is nobody known. */
function characterFor(play: ParsedPlay, introduced: { name: string; aliases: string[] }): string {
  const keys = new Set(labelKeys(introduced));
  const known = play.characters.find((c) => labelKeys(c).some((key) => keys.has(key)));
  if (known) return known.name;
  const name = introduced.name.trim();
  const aliases = [...new Set(introduced.aliases.map((a) => a.trim()).filter((a) => a !== '' && a !== name))];
  play.characters.push({ name, aliases, description: null });
  return name;
}
