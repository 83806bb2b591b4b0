import { BEFORE_FIRST_HEADING, TEXT_CLOSE, TEXT_OPEN } from '../../src/llm/prompt.js';
import type { ModelRequest, Reply } from './llm-server.js';

// The double's default "model": reads the chunk out of the prompt and parses it with a few fixed rules,
// so a whole play can go through the LLM parser and come out as a real play. It understands
//   ACT …  /  SCENE …                      headings (a line of their own)
//   NAME. words                            a speech; "NAME and NAME." is a joint one
//   [words]                                a stage direction (so is any other paragraph)
// and, before the first heading of the play, a front matter of a title, "by AUTHOR", and "NAME, who"
// cast lines. It answers with the ids of the cast in the prompt and invents ids for anyone else.

interface Cast {
  id: string;
  labels: string[];
}

interface Output {
  title: string | null;
  author: string | null;
  newCharacters: Array<{ id: string; name: string; aliases: string[]; description: string | null }>;
  entries: Array<{ type: 'act' | 'scene' | 'dialogue' | 'stage_direction'; text: string; speakers: string[] }>;
}

export function ruleModel(request: ModelRequest): Reply {
  const question = request.messages.find((m) => m.role === 'user' && m.text.includes(TEXT_OPEN));
  if (!question) return { status: 400, message: 'the double found no chunk text in the prompt' };
  return { output: parseChunkPrompt(question.text) };
}

export function parseChunkPrompt(prompt: string): Output {
  const cast = readCast(prompt);
  const text = prompt.slice(prompt.indexOf(TEXT_OPEN) + TEXT_OPEN.length + 1, prompt.lastIndexOf(TEXT_CLOSE) - 1);
  let frontMatter = prompt.includes(BEFORE_FIRST_HEADING);
  const out: Output = { title: null, author: null, newCharacters: [], entries: [] };

  const idFor = (label: string, description: string | null = null): string => {
    const key = label.toLowerCase();
    const known = cast.find((member) => member.labels.includes(key));
    if (known) return known.id;
    let id = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'someone';
    while (cast.some((member) => member.id === id)) id += '_';
    cast.push({ id, labels: [key] });
    const name = label.charAt(0) + label.slice(1).toLowerCase();
    out.newCharacters.push({ id, name, aliases: label === name ? [] : [label], description });
    return id;
  };

  const paragraphs = text
    .split(/\r?\n\s*\n/)
    .map((p) => p.replace(/^[=-]+\s*$/gm, '').trim())
    .filter(Boolean);
  for (const paragraph of paragraphs) {
    const heading = /^(ACT|SCENE)\b.*$/i.exec(paragraph);
    if (heading && !paragraph.includes('\n')) {
      frontMatter = false;
      out.entries.push({ type: heading[1]!.toUpperCase() === 'ACT' ? 'act' : 'scene', text: paragraph, speakers: [] });
      continue;
    }
    if (frontMatter) {
      readFrontMatter(paragraph, out, idFor);
      continue;
    }
    const speech = /^([A-Z][A-Z ]*?)\.\s+([\s\S]+)$/.exec(paragraph);
    if (speech) {
      const speakers = speech[1]!.split(/\s+AND\s+/).map((label) => idFor(label.trim()));
      out.entries.push({ type: 'dialogue', text: speech[2]!.replace(/\s*\n\s*/g, ' '), speakers });
      continue;
    }
    const bracketed = /^\[([\s\S]*)\]$/.exec(paragraph);
    out.entries.push({ type: 'stage_direction', text: (bracketed ? bracketed[1]! : paragraph).trim(), speakers: [] });
  }
  return out;
}

function readFrontMatter(paragraph: string, out: Output, idFor: (label: string, description: string | null) => string): void {
  for (const line of paragraph.split('\n').map((l) => l.trim())) {
    const castLine = /^([A-Z][A-Z ]+),\s*(.+)$/.exec(line);
    const by = /^by\s+(.+)$/i.exec(line);
    if (castLine) idFor(castLine[1]!, castLine[2]!);
    else if (by) out.author = by[1]!;
    else if (out.title === null && line !== '' && !/^CHARACTERS$/i.test(line)) out.title = line;
  }
}

function readCast(prompt: string): Cast[] {
  const block = /Cast so far \(id = name; aliases\):\n([\s\S]*?)(?:\n\n|$)/.exec(prompt);
  if (!block) return [];
  return block[1]!.split('\n').map((line) => {
    const [id, rest] = line.split(' = ') as [string, string];
    const [name, aliases] = rest.split('; ');
    return { id, labels: [name!, ...(aliases ? aliases.split(', ') : [])].map((l) => l.toLowerCase()) };
  });
}
