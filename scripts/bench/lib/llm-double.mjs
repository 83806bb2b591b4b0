import { createServer } from 'node:http';

// A model server for the LLM benchmark (and, through chatCompletion, the chaos suite's faulty one): OpenAI chat completions on 127.0.0.1, answering every request
// after a fixed delay, the way a hosted model answers a chunk in a few seconds. Its answers are valid for
// both parsers' schemas and about as long as a real model's (a chunk's words come back wrapped in JSON),
// and it reports usage like a provider: a token for every four characters sent and received.
//
// Chunk questions (llm parser): paragraphs in, one entry each; a paragraph opening with a capitalised label
// is a speech by that label, anything else a stage direction. Passage questions (hybrid parser): the rules'
// reading, as given in the prompt.

export async function startBenchDouble({ delayMs, markers }) {
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const request = JSON.parse(body);
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletion(request, body, markers)));
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    get requests() {
      return requests;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The chat-completions answer to a request of either parser, with usage counted as a provider would. */
export function chatCompletion(request, body, markers) {
  const prompt = request.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n');
  const answer = JSON.stringify(prompt.includes(markers.passageOpen) ? answerPassage(prompt, markers) : answerChunk(prompt, markers));
  const usage = { prompt_tokens: Math.ceil(body.length / 4), completion_tokens: Math.ceil(answer.length / 4) };
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

function textOf(content) {
  return typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('');
}

const HEADING = /^(act|scene|akt|aufzug|auftritt|szene|acte|scène|atto|scena)\b/i;
const LABEL = /^([\p{Lu}][\p{Lu}\p{M} .'’-]{1,40}?)(?:[.:]|\r?\n|\s{2,})/u;

function answerChunk(prompt, { textOpen, textClose }) {
  const text = prompt.slice(prompt.indexOf(textOpen) + textOpen.length, prompt.lastIndexOf(textClose));
  const idOf = readCast(prompt);
  const newCharacters = [];
  const entries = [];
  const speaker = (label) => {
    const key = label.trim().toLowerCase();
    let id = idOf.get(key);
    if (!id) {
      id = `n${idOf.size + 1}`;
      idOf.set(key, id);
      newCharacters.push({ id, name: label.trim(), aliases: [], description: null });
    }
    return id;
  };
  for (const paragraph of text.split(/\r?\n[ \t]*\r?\n/)) {
    const p = paragraph.trim();
    if (!p) continue;
    const first = p.split(/\r?\n/)[0].trim();
    if (HEADING.test(first) && first.length < 60) {
      entries.push({ type: /^(act|akt|aufzug|acte|atto)/i.test(first) ? 'act' : 'scene', text: first, speakers: [] });
      continue;
    }
    const label = LABEL.exec(p);
    const words = label ? p.slice(label[0].length).trim() : '';
    if (label && words) entries.push({ type: 'dialogue', text: words.replace(/\s+/g, ' '), speakers: [speaker(label[1])] });
    else entries.push({ type: 'stage_direction', text: p.replace(/\s+/g, ' '), speakers: [] });
  }
  return { title: null, author: null, newCharacters, entries };
}

function readCast(prompt) {
  const idOf = new Map();
  const block = /Cast so far \(id = name; aliases\):\n([\s\S]*?)(?:\n\n|$)/.exec(prompt);
  for (const line of block ? block[1].split('\n') : []) {
    const [id, rest = ''] = line.split(' = ');
    const [name, aliases] = rest.split('; ');
    for (const label of [name, ...(aliases ? aliases.split(', ') : [])]) idOf.set(label.toLowerCase(), id);
  }
  return idOf;
}

function answerPassage(prompt) {
  const reading = /Passage \(read as ([^)]*)\):/.exec(prompt)?.[1] ?? '';
  const castIds = new Set([...prompt.matchAll(/^(c\d+) = /gm)].map((m) => m[1]));
  const speakers = reading.split('+').map((s) => s.trim()).filter((id) => castIds.has(id));
  if (reading.startsWith('stage direction') || speakers.length === 0) {
    return { type: 'stage_direction', speakers: [], label: null, newCharacters: [] };
  }
  return { type: 'dialogue', speakers, label: null, newCharacters: [] };
}
