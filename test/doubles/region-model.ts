import { PASSAGE_CLOSE, PASSAGE_OPEN } from '../../src/parse/hybrid/prompt.js';
import type { ModelRequest, Reply } from './llm-server.js';

// The double's "model" for the hybrid parser's questions: reads the passage, the cast and the rules'
// reading out of the prompt. A passage that opens with a cast member's label ("MAN. Halt!") is theirs;
// anything else keeps the rules' reading. Tests that need another answer script it with `regionAnswer`.

export interface RegionQuestion {
  passage: string;
  cast: Array<{ id: string; name: string; labels: string[] }>;
  /** The rules' reading: "dialogue" with speaker ids, or "stage_direction" with the ids it concerns. */
  readAs: { type: 'dialogue' | 'stage_direction'; who: string[] };
  before: string[];
}

export interface RegionAnswer {
  type: 'dialogue' | 'stage_direction';
  speakers: string[];
  label: string | null;
  newCharacters: Array<{ id: string; name: string; aliases: string[] }>;
}

export function isRegionRequest(request: ModelRequest): boolean {
  return request.messages.some((m) => m.role === 'user' && m.text.includes(PASSAGE_OPEN));
}

export function regionModel(request: ModelRequest): Reply {
  return { output: regionAnswer(readRegionPrompt(firstQuestion(request))) };
}

export function regionAnswer(question: RegionQuestion): RegionAnswer {
  const label = /^([A-Z][A-Za-z ]*?)[.:]\s/.exec(question.passage)?.[1];
  const labelled = label ? question.cast.find((member) => member.labels.includes(label.toLowerCase())) : undefined;
  if (label && labelled) return { type: 'dialogue', speakers: [labelled.id], label, newCharacters: [] };
  const known = question.readAs.who.filter((id) => question.cast.some((member) => member.id === id));
  return { type: question.readAs.type, speakers: known, label: null, newCharacters: [] };
}

/** The id the question's cast gives the character named `name`. */
export function idOf(question: RegionQuestion, name: string): string {
  const member = question.cast.find((m) => m.name === name);
  if (!member) throw new Error(`${name} is not in the cast the prompt offers`);
  return member.id;
}

export function firstQuestion(request: ModelRequest): string {
  return request.messages.find((m) => m.role === 'user')?.text ?? '';
}

export function readRegionPrompt(prompt: string): RegionQuestion {
  const passage = prompt.slice(prompt.indexOf(PASSAGE_OPEN) + PASSAGE_OPEN.length + 1, prompt.lastIndexOf(PASSAGE_CLOSE) - 1);
  const castBlock = /Cast \(id = name; aliases\):\n([\s\S]*?)(?:\n\n|$)/.exec(prompt)?.[1] ?? '';
  const cast = castBlock
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, rest] = line.split(' = ') as [string, string];
      const [name, aliases] = rest.split('; ');
      return { id, name: name!, labels: [name!, ...(aliases ? aliases.split(', ') : [])].map((l) => l.toLowerCase()) };
    });
  const reading = /Passage \(read as ([^)]*)\):/.exec(prompt)?.[1] ?? '';
  const readAs = reading.startsWith('stage direction')
    ? { type: 'stage_direction' as const, who: splitWho(reading.replace(/^stage direction:?\s*/, '')) }
    : { type: 'dialogue' as const, who: splitWho(reading) };
  const beforeBlock = /Lines before, as read:\n([\s\S]*?)(?:\n\n|$)/.exec(prompt)?.[1] ?? '';
  return { passage, cast, readAs, before: beforeBlock.split('\n').filter(Boolean) };
}

function splitWho(who: string): string[] {
  return who.split('+').map((s) => s.trim()).filter(Boolean);
}
