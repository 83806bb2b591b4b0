import type { CastMember } from './cast.js';
import type { EntryType } from './chunk-schema.js';

// The prompt carries only what a chunk needs to be read correctly: who is on the cast (with the ids to
// answer with), where we are, and the last few lines for continuity. The play so far is not repeated, so a
// prompt's size depends on the chunk, not on its position in the play. The system prompt is the same for
// every call, which lets providers cache it.

export interface RecentLine {
  type: EntryType;
  text: string;
  speakers: string[];
}

export interface PromptContext {
  /** No act or scene heading has come yet: the text may be front matter. */
  beforeFirstHeading: boolean;
  cast: readonly CastMember[];
  act: string | null;
  scene: string | null;
  recentLines: readonly RecentLine[];
}

export const RECENT_LINES_KEPT = 4;
const RECENT_LINE_CHARS = 160;

export const BEFORE_FIRST_HEADING = 'No act or scene heading has come yet in the script.';
export const TEXT_OPEN = '<text>';
export const TEXT_CLOSE = '</text>';

export const SYSTEM_PROMPT = [
  'You convert a part of a theatre play script into JSON that follows the given schema.',
  'Go through the text in order and emit one entry for each act heading ("act"), scene heading ("scene"), speech ("dialogue") and stage direction ("stage_direction"). Skip nothing and summarise nothing.',
  'Copy the words verbatim. A dialogue entry holds only the spoken words: the speaker label goes into "speakers", and a stage direction inside a speech (e.g. "[Aside]") becomes its own stage_direction entry at that point.',
  'Refer to characters by id. Use the ids of the cast you are given; for anyone not on it, add a newCharacters entry with a new short lowercase id, the character\'s name and the labels the text uses for them as aliases, then use that id. When several characters speak together, list every one of them.',
  'Text before the first act or scene heading of the play (title page, list of characters, notes) is front matter: report the title, the author and the characters it lists, and emit no entries for it.',
  'Entries before any heading in the text continue the current act and scene.',
].join('\n');

export function buildChunkPrompt(context: PromptContext, chunkText: string): string {
  const parts: string[] = [];
  parts.push(
    context.cast.length === 0
      ? 'Cast so far: none.'
      : ['Cast so far (id = name; aliases):', ...context.cast.map(castLine)].join('\n'),
  );
  parts.push(
    context.beforeFirstHeading
      ? BEFORE_FIRST_HEADING
      : `Current act: ${context.act ?? 'none'}\nCurrent scene: ${context.scene ?? 'none'}`,
  );
  if (context.recentLines.length > 0) {
    parts.push(['The lines just before this text:', ...context.recentLines.map(recentLine)].join('\n'));
  }
  parts.push(`Text:\n${TEXT_OPEN}\n${chunkText}\n${TEXT_CLOSE}`);
  return parts.join('\n\n');
}

/** The follow-up message of the repair round. */
export function buildRepairPrompt(problems: string): string {
  return [
    'Your answer could not be used:',
    problems,
    'Answer again with the complete corrected JSON for the same text.',
  ].join('\n');
}

function castLine(member: CastMember): string {
  const aliases = member.aliases.length > 0 ? `; ${member.aliases.join(', ')}` : '';
  return `${member.id} = ${member.name}${aliases}`;
}

function recentLine(line: RecentLine): string {
  const who = line.type === 'dialogue' ? line.speakers.join('+') : line.type;
  const text = line.text.replace(/\s+/g, ' ').trim();
  return `[${who}] ${text.length > RECENT_LINE_CHARS ? `${text.slice(0, RECENT_LINE_CHARS)}…` : text}`;
}
