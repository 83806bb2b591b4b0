import { createJobCaller, type JobCallerOptions } from '../../llm/job-calls.js';
import { UnusableAnswerError } from '../../llm/unusable-answer.js';
import type { Chunk, PlayParser } from '../parser.js';
import { REGION_SCHEMA_NAME, regionAnswerSchema } from './answer-schema.js';
import { applyAnswers, type RegionResult } from './apply.js';
import { buildRegionInputs } from './inputs.js';
import { REGION_SYSTEM_PROMPT } from './prompt.js';
import { readWithRules, type RulesReading } from './regions.js';

// The `hybrid` parser: the rules read the play, and a model is asked only about the passages the rules
// marked as uncertain. Each passage is a chunk of its own group, so passages are asked concurrently
// (--llm-concurrency), every answer is checkpointed, and a resumed job asks only about the rest. A play the
// rules are sure of is one chunk and costs nothing.
//
// The rules run again wherever the regions are needed (plan, each chunk, assemble): they are deterministic
// and fast next to a model call, and a checkpoint then only has to hold the answers.

// An answer is a few ids and a label: a hundred tokens at most, unless the model invents characters.
const MAX_OUTPUT_TOKENS = 1_024;
const EXPECTED_OUTPUT_TOKENS = 60;
const READINGS_KEPT = 4;

export function createHybridParser(options: JobCallerOptions = {}): PlayParser<RegionResult | null, null> {
  const ask = createJobCaller(options);
  // The last few texts' readings: a worker running several hybrid jobs at once reads each play only once.
  const readings = new Map<string, RulesReading>();
  const readingOf = (text: string): RulesReading => {
    let reading = readings.get(text);
    if (!reading) {
      reading = readWithRules(text, '');
      readings.set(text, reading);
      if (readings.size > READINGS_KEPT) readings.delete(readings.keys().next().value!);
    }
    return reading;
  };

  return {
    name: 'hybrid',

    plan(text: string): Chunk[] {
      const { regions } = readingOf(text);
      if (regions.length === 0) return [{ index: 0, group: 'play', start: 0, end: text.length }];
      return regions.map((region, i) => ({
        index: i,
        group: `passage-${i + 1}`,
        start: i === 0 ? 0 : region.sourceStart,
        end: regions[i + 1]?.sourceStart ?? text.length,
      }));
    },

    initialGroupState: () => null,

    async parseChunk(text, chunk, _state, config, run) {
      const reading = readingOf(text);
      if (!reading.regions[chunk.index]) return { result: null, groupState: null };
      const { cast, passage, prompt } = buildRegionInputs(reading, text, chunk.index);
      try {
        const answer = await ask({
          config,
          run,
          schema: regionAnswerSchema(cast.ids, passage),
          schemaName: REGION_SCHEMA_NAME,
          system: REGION_SYSTEM_PROMPT,
          prompt,
          maxOutputTokens: MAX_OUTPUT_TOKENS,
          expectedOutputTokens: EXPECTED_OUTPUT_TOKENS,
        });
        return { result: { answer }, groupState: null };
      } catch (err) {
        // The rules' reading is a fine answer too; failing the job over one passage would be worse.
        if (err instanceof UnusableAnswerError && !run.signal.aborted) return { result: { answer: null }, groupState: null };
        throw err;
      }
    },

    assemble(text, results, _config, meta) {
      return applyAnswers(readWithRules(text, meta.filename), results);
    },
  };
}
