import { createServer } from 'node:http';
import { chatCompletion } from '../../bench/lib/llm-double.mjs';

// The model server the LLM jobs talk to: the benchmark's OpenAI-compatible double (real chunk-schema answers
// for both parsers), with faults drawn per request from the run's seed at configurable rates:
//   429      rate limited, with Retry-After: 1
//   500      a server error
//   hang     reads the request and never answers (the worker's request timeout has to end it)
//   garbage  HTTP 200 with a body that is not the protocol's JSON, or a message that is not the schema's JSON
//   cut      the connection is reset after the request arrived, before any answer
// Every request must carry the workers' API key; one that does not is answered 401 and counted.

export const MODEL_FAULTS = ['429', '500', 'hang', 'garbage', 'cut'];

export async function startModelServer({ markers, rates = {}, random, apiKey }) {
  const counts = { requests: 0, answered: 0, wrongKey: 0, ...Object.fromEntries(MODEL_FAULTS.map((k) => [k, 0])) };
  const hanging = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      counts.requests++;
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        counts.wrongKey++;
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no valid API key was sent' } }));
        return;
      }
      const fault = drawFault(random, rates);
      if (fault) counts[fault]++;
      const body = Buffer.concat(chunks).toString('utf8');
      switch (fault) {
        case '429':
          return json(res, 429, { error: { message: 'rate limited', type: 'rate_limit_error' } }, { 'retry-after': '1' });
        case '500':
          return json(res, 500, { error: { message: 'internal error', type: 'server_error' } });
        case 'hang':
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        case 'garbage':
          if (random.chance(0.5)) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "chatcmpl-broken", "choi');
          return json(res, 200, { ...chatCompletion(JSON.parse(body), body, markers), choices: [{ index: 0, message: { role: 'assistant', content: 'I am sorry, I cannot { help' }, finish_reason: 'stop' }] });
        case 'cut':
          return req.socket.resetAndDestroy?.() ?? req.socket.destroy();
        default:
          counts.answered++;
          return json(res, 200, chatCompletion(JSON.parse(body), body, markers));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    counts,
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function drawFault(random, rates) {
  let r = random.next();
  for (const kind of MODEL_FAULTS) if ((r -= rates[kind] ?? 0) < 0) return kind;
  return null;
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
