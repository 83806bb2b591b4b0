import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRegionRequest, regionModel } from './region-model.js';
import { ruleModel } from './rule-model.js';

// A local stand-in for the model providers, speaking their wire protocols over real HTTP on 127.0.0.1:
//   POST /v1/responses          OpenAI Responses (the OpenAI provider's default)
//   POST /v1/chat/completions   OpenAI chat completions (also what openai-compatible servers speak)
//   POST /v1/messages           Anthropic messages (text block, or tool_use when the request has tools)
// Each test scripts the answers with a handler that sees the request as a model would (system text,
// messages, JSON schema), and inspects what reached the server: every request's headers and body, how
// many came, and which ones the client abandoned before the answer.

export type Protocol = 'openai-responses' | 'openai-chat' | 'anthropic';

export interface ModelRequest {
  protocol: Protocol;
  model: string;
  system: string;
  messages: Array<{ role: 'user' | 'assistant'; text: string }>;
  /** The last user message. */
  prompt: string;
  /** The JSON schema the client asked the answer to follow, if any. */
  schema: unknown;
  /** Whether the schema came as Anthropic's forced `json` tool. */
  viaTool: boolean;
  maxOutputTokens: number | undefined;
}

interface Timing {
  /** Waits this long before answering (the client may give up first). */
  delayMs?: number;
}

interface Billing {
  usage?: { inputTokens: number; outputTokens: number };
}

export type Reply =
  /** The model answers with this value as JSON. */
  | ({ output: unknown } & Timing & Billing)
  /** The model answers with this text (e.g. broken JSON); `truncated` says it ran out of output tokens. */
  | ({ text: string; truncated?: boolean } & Timing & Billing)
  /** An HTTP error in the protocol's error format. */
  | ({ status: number; headers?: Record<string, string>; message?: string } & Timing)
  /** A 200 whose body is not the protocol's JSON at all. */
  | ({ rawBody: string } & Timing);

export type Handler = (request: ModelRequest, index: number) => Reply | Promise<Reply>;

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client closed the connection before the answer was written. */
  aborted: boolean;
  answered: boolean;
}

export interface LlmDouble {
  /** Base URL to give a provider, ending in /v1. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  setHandler(handler: Handler): void;
  /** Resolves once `predicate` holds (polled), or fails after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The double's default model: the hybrid parser's passage questions and the LLM parser's chunks. */
export const scriptModel: Handler = (request) => (isRegionRequest(request) ? regionModel(request) : ruleModel(request));

export async function startLlmDouble(handler: Handler = scriptModel): Promise<LlmDouble> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const record: RecordedRequest = { path: req.url ?? '', headers: req.headers, body, aborted: false, answered: false };
    const index = requests.push(record) - 1;
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const protocol = protocolOf(req.method, req.url);
    if (!protocol) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no such route' } }));
      return;
    }
    const json = JSON.parse(body) as Record<string, unknown>;
    const request = readRequest(protocol, json);
    const reply = await current(request, index);
    if (reply.delayMs) await waitOrClose(reply.delayMs, res);
    if (record.aborted || res.destroyed) return;
    writeReply(res, protocol, request, json, reply, body.length);
    record.answered = true;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setHandler(next) {
      current = next;
    },
    async waitFor(predicate, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error('the LLM double did not see what the test waited for');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function protocolOf(method: string | undefined, url: string | undefined): Protocol | undefined {
  if (method !== 'POST') return undefined;
  const path = (url ?? '').split('?')[0];
  if (path === '/v1/responses') return 'openai-responses';
  if (path === '/v1/chat/completions') return 'openai-chat';
  if (path === '/v1/messages') return 'anthropic';
  return undefined;
}

function readRequest(protocol: Protocol, body: Record<string, unknown>): ModelRequest {
  const system: string[] = [];
  const messages: ModelRequest['messages'] = [];
  const take = (role: unknown, content: unknown) => {
    const text = textOf(content);
    if (role === 'system' || role === 'developer') system.push(text);
    else if (role === 'user' || role === 'assistant') messages.push({ role, text });
  };
  let schema: unknown;
  let viaTool = false;
  let maxOutputTokens: unknown;
  switch (protocol) {
    case 'openai-responses': {
      for (const item of (body.input as Array<{ role?: unknown; content?: unknown }>) ?? []) take(item.role, item.content);
      schema = (body.text as { format?: { schema?: unknown } } | undefined)?.format?.schema;
      maxOutputTokens = body.max_output_tokens;
      break;
    }
    case 'openai-chat': {
      for (const item of (body.messages as Array<{ role?: unknown; content?: unknown }>) ?? []) take(item.role, item.content);
      schema = (body.response_format as { json_schema?: { schema?: unknown } } | undefined)?.json_schema?.schema;
      maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
      break;
    }
    case 'anthropic': {
      if (body.system !== undefined) system.push(textOf(body.system));
      for (const item of (body.messages as Array<{ role?: unknown; content?: unknown }>) ?? []) take(item.role, item.content);
      const tools = body.tools as Array<{ input_schema?: unknown }> | undefined;
      viaTool = Array.isArray(tools) && tools.length > 0;
      schema = viaTool ? tools![0]!.input_schema : (body.output_config as { format?: { schema?: unknown } } | undefined)?.format?.schema;
      maxOutputTokens = body.max_tokens;
      break;
    }
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return {
    protocol,
    model: String(body.model ?? ''),
    system: system.join('\n'),
    messages,
    prompt: lastUser?.text ?? '',
    schema,
    viaTool,
    maxOutputTokens: typeof maxOutputTokens === 'number' ? maxOutputTokens : undefined,
  };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : ''))
      .join('');
  }
  return '';
}

function writeReply(
  res: ServerResponse,
  protocol: Protocol,
  request: ModelRequest,
  requestBody: Record<string, unknown>,
  reply: Reply,
  requestChars: number,
): void {
  if ('rawBody' in reply) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(reply.rawBody);
    return;
  }
  if ('status' in reply) {
    const message = reply.message ?? `status ${reply.status}`;
    const body =
      protocol === 'anthropic'
        ? { type: 'error', error: { type: reply.status === 429 ? 'rate_limit_error' : 'api_error', message } }
        : { error: { message, type: 'error', code: null, param: null } };
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(body));
    return;
  }
  const text = 'output' in reply ? JSON.stringify(reply.output) : reply.text;
  const truncated = 'truncated' in reply && reply.truncated === true;
  const usage = reply.usage ?? { inputTokens: Math.ceil(requestChars / 4), outputTokens: Math.ceil(text.length / 4) };
  const model = String(requestBody.model ?? 'double');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(encode(protocol, request, model, text, truncated, usage)));
}

function encode(
  protocol: Protocol,
  request: ModelRequest,
  model: string,
  text: string,
  truncated: boolean,
  usage: { inputTokens: number; outputTokens: number },
): unknown {
  const created = Math.floor(Date.now() / 1000);
  switch (protocol) {
    case 'openai-responses':
      return {
        id: 'resp_double',
        object: 'response',
        created_at: created,
        status: truncated ? 'incomplete' : 'completed',
        incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
        model,
        output: [
          {
            type: 'message',
            id: 'msg_double',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens },
      };
    case 'openai-chat':
      return {
        id: 'chatcmpl-double',
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: truncated ? 'length' : 'stop' }],
        usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens },
      };
    case 'anthropic': {
      const asTool = request.viaTool && !truncated && parsesAsObject(text);
      return {
        id: 'msg_double',
        type: 'message',
        role: 'assistant',
        model,
        content: asTool
          ? [{ type: 'tool_use', id: 'toolu_double', name: 'json', input: JSON.parse(text) }]
          : [{ type: 'text', text }],
        stop_reason: truncated ? 'max_tokens' : asTool ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      };
    }
  }
}

function parsesAsObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function waitOrClose(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}
