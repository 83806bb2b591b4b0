import type { Chunk, ChunkRunContext, ParseConfig, PlayParser, TokenUsage } from '../../src/parse/parser.js';
import type { ParsedPlay } from '../../src/parse/play.js';

// Drives a parser the way the pipeline will, without a database: groups at once, chunks of a group in
// order, every result and group state through JSON (as a checkpoint would), then `assemble`.

export interface RecordingRun extends ChunkRunContext {
  readonly usages: TokenUsage[];
  spentCostUsd(): number;
}

export function recordingRun(signal: AbortSignal = new AbortController().signal, alreadySpentUsd = 0): RecordingRun {
  const usages: TokenUsage[] = [];
  return {
    signal,
    usages,
    reportUsage: (usage) => void usages.push(usage),
    spentCostUsd: () => usages.reduce((sum, u) => sum + u.costUsd, alreadySpentUsd),
  };
}

export interface ParserRun<Result> {
  chunks: Chunk[];
  results: Result[];
  play: ParsedPlay;
}

export async function runParser<Result, State>(
  parser: PlayParser<Result, State>,
  text: string,
  config: ParseConfig,
  run: ChunkRunContext,
  filename = 'play.txt',
): Promise<ParserRun<Result>> {
  const chunks = parser.plan(text, config);
  const results: Result[] = new Array(chunks.length);
  const groups = [...new Set(chunks.map((c) => c.group))];
  await Promise.all(
    groups.map(async (group) => {
      let state = checkpoint(parser.initialGroupState(text, config, group));
      for (const chunk of chunks.filter((c) => c.group === group)) {
        const outcome = await parser.parseChunk(text, chunk, state, config, run);
        results[chunk.index] = checkpoint(outcome.result);
        state = checkpoint(outcome.groupState);
      }
    }),
  );
  return { chunks, results, play: await parser.assemble(text, results, config, { filename }) };
}

function checkpoint<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
