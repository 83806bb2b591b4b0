// A slow multi-chunk parser in plain JavaScript, so a worker process running the compiled code can use it:
// one chunk per paragraph (`NAME. words`), each taking `delayMs`, the group state counting speeches.

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function paragraphParser(delayMs = 0) {
  return {
    name: 'rules',
    plan(text) {
      const chunks = [];
      const re = /\n\n+/g;
      let start = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        chunks.push({ index: chunks.length, group: 'play', start, end: m.index + m[0].length });
        start = m.index + m[0].length;
      }
      if (start < text.length || chunks.length === 0) chunks.push({ index: chunks.length, group: 'play', start, end: text.length });
      return chunks;
    },
    initialGroupState: () => ({ speeches: 0 }),
    async parseChunk(text, chunk, state, _config, run) {
      await sleep(delayMs, run.signal);
      const m = /^([A-Z]+)\.\s+([\s\S]*?)\s*$/.exec(text.slice(chunk.start, chunk.end).trim());
      if (!m) return { result: null, groupState: state };
      return { result: { speaker: m[1], text: `${m[2]} (${state.speeches + 1})` }, groupState: { speeches: state.speeches + 1 } };
    },
    assemble(_text, results) {
      const lines = results.filter(Boolean).map((r) => ({ type: 'dialogue', text: r.text, characters: [r.speaker] }));
      const cast = [...new Set(lines.map((l) => l.characters[0]))].map((name) => ({ name, aliases: [] }));
      return { title: 'Paragraphs', author: 'Test', characters: cast, acts: [{ title: 'I', scenes: [{ title: '1', lines }] }] };
    },
  };
}

export function paragraphPlay(n) {
  return Array.from({ length: n }, (_, i) => `${i % 2 ? 'BOB' : 'ALICE'}. Speech number ${i} of the play.`).join('\n\n') + '\n';
}
