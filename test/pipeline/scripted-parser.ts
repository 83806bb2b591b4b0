import type { Chunk, ParseConfig, PlayParser } from '../../src/parse/parser.js';
import type { ParsedPlay, PlayLine } from '../../src/parse/play.js';

// A small multi-chunk parser for a toy script format, so the pipeline's chunking, group state, resume and
// concurrency can be tested without the real parsers:
//
//   TITLE: The Toy Play          AUTHOR: Someone
//   ACT One                      SCENE A room
//   ALICE: words                 ALICE/BOB: said together
//   DITTO: words                 (the previous speaker of this group — needs the group state)
//   [Enter BOB]                  (a stage direction; upper-case cast names in it are linked)
//
// A group starts at every ACT or SCENE line; a group is cut into chunks of at most `chunkSize` characters
// at line ends.

type Entry = { kind: 'title' | 'author' | 'act' | 'scene'; text: string } | { kind: 'line'; line: PlayLine };

export interface ToyResult {
  entries: Entry[];
}

export interface ToyGroupState {
  lastSpeakers: string[];
  cast: string[];
}

export interface ScriptedParserOptions {
  /** Called before every chunk; may throw or wait, to simulate failures and slow model calls. */
  beforeChunk?(chunk: Chunk, signal: AbortSignal): Promise<void> | void;
  /** Reported as usage for each chunk: input tokens = chunk length. */
  reportUsage?: boolean;
}

export interface ScriptedParser extends PlayParser<ToyResult, ToyGroupState> {
  calls: number[];
  inFlight: number;
  maxInFlight: number;
}

export function scriptedParser(options: ScriptedParserOptions = {}): ScriptedParser {
  const parser: ScriptedParser = {
    name: 'llm',
    calls: [],
    inFlight: 0,
    maxInFlight: 0,
    plan: (text, config) => planToy(text, config),
    initialGroupState: () => ({ lastSpeakers: [], cast: [] }),
    async parseChunk(text, chunk, state, _config, run) {
      parser.calls.push(chunk.index);
      parser.inFlight += 1;
      parser.maxInFlight = Math.max(parser.maxInFlight, parser.inFlight);
      try {
        await options.beforeChunk?.(chunk, run.signal);
        if (options.reportUsage) run.reportUsage({ inputTokens: chunk.end - chunk.start, outputTokens: 10, costUsd: 0.001 });
        return parseToyChunk(text.slice(chunk.start, chunk.end), state);
      } finally {
        parser.inFlight -= 1;
      }
    },
    assemble: (_text, results) => assembleToy(results),
  };
  return parser;
}

function planToy(text: string, config: ParseConfig): Chunk[] {
  const chunks: Chunk[] = [];
  let group = 'front';
  let start = 0;
  let at = 0;
  const cut = (end: number) => {
    if (end > start) chunks.push({ index: chunks.length, group, start, end });
    start = end;
  };
  for (const line of text.split(/(?<=\n)/)) {
    if (/^(ACT|SCENE)\b/.test(line)) {
      cut(at);
      group = `g${at}`;
    } else if (at + line.length - start > config.chunkSize) {
      cut(at);
    }
    at += line.length;
  }
  cut(at);
  return chunks;
}

function parseToyChunk(slice: string, state: ToyGroupState): { result: ToyResult; groupState: ToyGroupState } {
  const entries: Entry[] = [];
  let lastSpeakers = state.lastSpeakers;
  const cast = [...state.cast];
  for (const raw of slice.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const header = /^(TITLE|AUTHOR|ACT|SCENE):?\s*(.*)$/.exec(line);
    if (header) {
      entries.push({ kind: header[1]!.toLowerCase() as 'title', text: header[2]! });
      continue;
    }
    if (line.startsWith('[')) {
      const concerned = [...line.matchAll(/\b[A-Z]{2,}\b/g)].map((m) => m[0]);
      entries.push({ kind: 'line', line: { type: 'stage_direction', text: line, characters: [...new Set(concerned)] } });
      continue;
    }
    const speech = /^([A-Z/]+):\s*(.*)$/.exec(line);
    if (!speech) continue;
    const speakers = speech[1] === 'DITTO' ? lastSpeakers : speech[1]!.split('/');
    for (const s of speakers) if (!cast.includes(s)) cast.push(s);
    lastSpeakers = speakers;
    const verse = speech[2]!.split(' | ');
    entries.push({
      kind: 'line',
      line: { type: 'dialogue', text: verse.join('\n'), characters: speakers, preserveLineBreaks: verse.length > 1, indentLevel: verse.length > 1 ? 1 : 0 },
    });
  }
  return { result: { entries }, groupState: { lastSpeakers, cast } };
}

function assembleToy(results: ToyResult[]): ParsedPlay {
  const play: ParsedPlay = { title: '', author: '', characters: [], acts: [] };
  const cast = new Set<string>();
  const scene = () => {
    if (play.acts.length === 0) play.acts.push({ title: '', scenes: [] });
    const act = play.acts[play.acts.length - 1]!;
    if (act.scenes.length === 0) act.scenes.push({ title: '', lines: [] });
    return act.scenes[act.scenes.length - 1]!;
  };
  for (const r of results) {
    for (const e of r.entries) {
      if (e.kind === 'title') play.title = e.text;
      else if (e.kind === 'author') play.author = e.text;
      else if (e.kind === 'act') play.acts.push({ title: e.text, scenes: [] });
      else if (e.kind === 'scene') {
        if (play.acts.length === 0) play.acts.push({ title: '', scenes: [] });
        play.acts[play.acts.length - 1]!.scenes.push({ title: e.text, lines: [] });
      } else if (e.kind === 'line') {
        scene().lines.push(e.line);
        if (e.line.type === 'dialogue') for (const c of e.line.characters) cast.add(c);
      }
    }
  }
  play.characters = [...cast].map((name) => ({ name, aliases: [name.slice(0, 3) + '.'] }));
  return play;
}

export const TOY_PLAY = `TITLE: The Toy Play
AUTHOR: A. Tester

ACT One
SCENE A room
[Enter ALICE and BOB]
ALICE: Good morning, Bob. | How the sun shines. | Does it not?
BOB: It does.
DITTO: And brightly too.
ALICE/BOB: We agree!
SCENE The garden
CAROL: Who goes there?
ALICE: A friend.
DITTO: Two friends, in fact.
[Exit CAROL]
ACT Two
SCENE The hall
BOB: Where has Carol gone?
ALICE: Out.
DITTO: Quite out. | Gone entirely.
[Exeunt]
`;
