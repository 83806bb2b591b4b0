import { basename, extname } from 'node:path';
import type { ParsedPlay, PlayAct, PlayCharacter, PlayScene } from '../parse/play.js';
import { labelKeys, withLabelsOf, type CastMember } from './cast.js';
import type { LlmChunkResult } from './chunk-state.js';

// Builds the play from chunk results in chunk order. Groups were parsed without seeing each other, so the
// same person may come from several groups under different ids: they become one character when a name or
// alias matches, and the first-met name is kept (the cast list of the front matter, when there is one).
// Acts and scenes follow the heading entries in text order; lines before any heading get an untitled
// act or scene rather than being dropped.

export function assemblePlay(results: readonly LlmChunkResult[], meta: { filename: string }): ParsedPlay {
  const { characters, nameOf } = reconcileCast(results);
  const acts: PlayAct[] = [];
  let act: PlayAct | undefined;
  let scene: PlayScene | undefined;
  const openAct = (title: string): PlayAct => {
    act = { title, scenes: [] };
    acts.push(act);
    scene = undefined;
    return act;
  };
  const openScene = (title: string): PlayScene => {
    const opened: PlayScene = { title, lines: [] };
    (act ?? openAct('')).scenes.push(opened);
    scene = opened;
    return opened;
  };

  for (const result of results) {
    for (const entry of result.entries) {
      if (entry.type === 'act') openAct(entry.text);
      else if (entry.type === 'scene') openScene(entry.text);
      else {
        const names = entry.speakers.map((id) => nameOf(result.group, id)).filter((name): name is string => name !== undefined);
        (scene ?? openScene('')).lines.push({ type: entry.type, text: entry.text, characters: names });
      }
    }
  }

  return {
    title: results.find((r) => r.title)?.title ?? basename(meta.filename, extname(meta.filename)),
    author: results.find((r) => r.author)?.author ?? '',
    characters,
    acts: acts.map((a) => ({ ...a, scenes: a.scenes.filter((s) => s.lines.length > 0) })).filter((a) => a.scenes.length > 0),
  };
}

function reconcileCast(results: readonly LlmChunkResult[]): {
  characters: PlayCharacter[];
  nameOf: (group: string, id: string) => string | undefined;
} {
  // A later record of the same group id carries every label seen so far, so it replaces the earlier one.
  const records = new Map<string, CastMember>();
  for (const result of results) {
    for (const member of result.characters) records.set(sourceKey(result.group, member.id), member);
  }

  const people: CastMember[] = [];
  const personOf = new Map<string, number>();
  for (const [key, member] of records) {
    const keys = new Set(labelKeys(member));
    const at = people.findIndex((person) => labelKeys(person).some((k) => keys.has(k)));
    if (at >= 0) {
      people[at] = withLabelsOf(people[at]!, member);
      personOf.set(key, at);
    } else {
      personOf.set(key, people.push(member) - 1);
    }
  }

  return {
    characters: people.map(({ name, aliases, description }) => ({ name, aliases, description })),
    nameOf: (group, id) => {
      const at = personOf.get(sourceKey(group, id));
      return at === undefined ? undefined : people[at]!.name;
    },
  };
}

function sourceKey(group: string, id: string): string {
  return `${group}:${id}`;
}
