import type { Chunk, ParseConfig, PlayParser } from '../parser.js';
import { assemblePlay } from '../../llm/assemble.js';
import { CHUNK_SCHEMA_NAME, chunkOutputSchema } from '../../llm/chunk-schema.js';
import { applyChunkOutput, startingState, type LlmChunkResult, type LlmGroupState } from '../../llm/chunk-state.js';
import { createJobCaller, type JobCallerOptions } from '../../llm/job-calls.js';
import { findHeadings, planChunks, planGroups } from '../../llm/plan.js';
import { SYSTEM_PROMPT, buildChunkPrompt } from '../../llm/prompt.js';

// The `llm` parser: every chunk goes to a model. Groups (scenes) share nothing but what `assemble`
// reconciles, so the pipeline may run them concurrently; chunks of a group run in order, each prompted with
// the cast, act, scene and last lines the previous one left.

export type { CostAwareRunContext } from '../../llm/job-calls.js';
export type LlmParserOptions = JobCallerOptions;

// An answer repeats the chunk's words wrapped in JSON: about a token for every three characters.
const ANSWER_TOKENS_PER_CHUNK_CHAR = 1 / 3;
const MIN_OUTPUT_TOKENS = 2_048;
const MAX_OUTPUT_TOKENS = 16_384;

export function createLlmParser(options: LlmParserOptions = {}): PlayParser<LlmChunkResult, LlmGroupState> {
  const ask = createJobCaller(options);

  return {
    name: 'llm',

    plan(text: string, config: ParseConfig): Chunk[] {
      return planChunks(text, config.chunkSize);
    },

    initialGroupState(text: string, _config: ParseConfig, group: string): LlmGroupState {
      const start = planGroups(text).find((g) => g.name === group)?.start ?? 0;
      const act = findHeadings(text).filter((h) => h.kind === 'act' && h.start < start).at(-1);
      return startingState(start === 0, act?.title ?? null);
    },

    async parseChunk(text, chunk, groupState, config, run) {
      const chunkText = text.slice(chunk.start, chunk.end);
      const output = await ask({
        config,
        run,
        schema: chunkOutputSchema(groupState.cast.map((member) => member.id)),
        schemaName: CHUNK_SCHEMA_NAME,
        system: SYSTEM_PROMPT,
        prompt: buildChunkPrompt(groupState, chunkText),
        maxOutputTokens: outputTokenCap(chunkText.length),
        expectedOutputTokens: chunkText.length * ANSWER_TOKENS_PER_CHUNK_CHAR,
      });
      return applyChunkOutput(groupState, output, chunk.group);
    },

    assemble(_text, results, _config, meta) {
      return assemblePlay(results, meta);
    },
  };
}

function outputTokenCap(chunkChars: number): number {
  return Math.min(MAX_OUTPUT_TOKENS, Math.max(MIN_OUTPUT_TOKENS, Math.ceil(chunkChars / 2) + 1_024));
}
