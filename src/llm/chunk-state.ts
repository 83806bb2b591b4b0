import { findSameCharacter, withLabelsOf, type CastMember } from './cast.js';
import type { ChunkEntry, ChunkOutput } from './chunk-schema.js';
import { RECENT_LINES_KEPT, type RecentLine } from './prompt.js';

// What the LLM parser carries from one chunk to the next inside a group, and what it keeps of each chunk.
// Both are plain JSON: they are checkpointed with the job and a resumed job continues from them.
//
// Character ids are the ones the model invented, unique within a group (the schema refuses a second
// character under a cast id). A new character whose name or alias matches one already in the group's
// cast is folded into it here, so later chunks and `assemble` see one person; people met in different
// groups are reconciled by `assemble`. `${group}:${id}` identifies a character of a chunk result, e.g. as
// its llmSourceId.

export interface LlmGroupState {
  beforeFirstHeading: boolean;
  cast: CastMember[];
  act: string | null;
  scene: string | null;
  recentLines: RecentLine[];
}

export interface LlmChunkResult {
  group: string;
  title: string | null;
  author: string | null;
  /** Characters this chunk introduced or gave new labels, as they stand after it. */
  characters: CastMember[];
  /** In text order; `speakers` are ids of this group's cast. */
  entries: ChunkEntry[];
}

export function startingState(beforeFirstHeading: boolean, act: string | null): LlmGroupState {
  return { beforeFirstHeading, cast: [], act, scene: null, recentLines: [] };
}

export function applyChunkOutput(
  state: LlmGroupState,
  output: ChunkOutput,
  group: string,
): { result: LlmChunkResult; groupState: LlmGroupState } {
  const cast = [...state.cast];
  const touched = new Map<string, CastMember>();
  const idOf = new Map<string, string>();

  for (const character of output.newCharacters) {
    const candidate: CastMember = {
      id: character.id,
      name: character.name.trim(),
      aliases: character.aliases.map((alias) => alias.trim()).filter((alias) => alias !== ''),
      description: character.description,
    };
    const same = findSameCharacter(cast, candidate);
    const member = same ? withLabelsOf(same, candidate) : withLabelsOf({ ...candidate, aliases: [] }, candidate);
    if (same) cast[cast.indexOf(same)] = member;
    else cast.push(member);
    idOf.set(character.id, member.id);
    touched.set(member.id, member);
  }

  const entries = output.entries.map((entry) => ({
    type: entry.type,
    text: entry.text.trim(),
    speakers: [...new Set(entry.speakers.map((id) => idOf.get(id) ?? id))],
  }));

  let { act, scene, beforeFirstHeading } = state;
  const recentLines = [...state.recentLines];
  for (const entry of entries) {
    if (entry.type === 'act') {
      act = entry.text;
      scene = null;
      beforeFirstHeading = false;
    } else if (entry.type === 'scene') {
      scene = entry.text;
      beforeFirstHeading = false;
    } else {
      recentLines.push(entry);
    }
  }

  return {
    result: { group, title: output.title, author: output.author, characters: [...touched.values()], entries },
    groupState: { beforeFirstHeading, cast, act, scene, recentLines: recentLines.slice(-RECENT_LINES_KEPT) },
  };
}
