import { PermanentError } from '../../errors.js';
import type { ParsedPlay } from '../play.js';
import type { Analysis, Boundary, Uncertain } from './analysis.js';
import { analyzeSteps } from './analyze.js';
import { runSteps, runStepsInSlices } from './steps.js';

// The built-in parser: offline, deterministic, linear in the length of the text.

export type { Boundary, Uncertain, UncertainKind } from './analysis.js';

/** What the parser was unsure of, for a later pass (an LLM) to check. */
export interface RulesDiagnostics {
  uncertain: Uncertain[];
}

export interface RulesResult {
  play: ParsedPlay;
  diagnostics: RulesDiagnostics;
}

export interface RulesOptions {
  /** Used for the title when the text names none. */
  filename?: string;
}

// A play has several people speaking, one of them at least twice, and speeches make up a fair share of
// its paragraphs; a single short scene is a play too. A glossary (`Apple. A fruit.`) names each entry
// once; a novel with a few lines of dialogue in a `Name: text` layout has too few speeches among its
// paragraphs.
const MIN_SPEECHES = 3;
const MIN_SPEAKERS = 2;
const MIN_CUE_SHARE = 0.12;

function noPlay(detail: string): PermanentError {
  return new PermanentError(`no play structure found: ${detail}`);
}

/**
 * Parses a play's plain text. Throws `PermanentError` ("no play structure found …") when the text is not
 * a play, and nothing else, whatever the input.
 */
export function parseRules(text: string, opts: RulesOptions = {}): RulesResult {
  let analysis: Analysis;
  try {
    analysis = runSteps(analyzeSteps(asText(text), opts.filename));
  } catch (err) {
    throw unreadable(err);
  }
  return judge(analysis);
}

export interface SlicedOptions extends RulesOptions {
  /** How far the parse is, 0–1, called often: throttle what it does. */
  progress?: (done: number) => void;
  /** Stops the parse between two slices with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * `parseRules` for a process with other work: the parse runs in slices of a few tens of milliseconds, giving
 * the event loop back in between, and reports how far it is.
 */
export async function parseRulesInSlices(text: string, opts: SlicedOptions = {}): Promise<RulesResult> {
  let analysis: Analysis;
  try {
    analysis = await runStepsInSlices(analyzeSteps(asText(text), opts.filename), opts.progress, opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw unreadable(err);
  }
  return judge(analysis);
}

const asText = (text: unknown): string => (typeof text === 'string' ? text : String(text ?? ''));

const unreadable = (err: unknown) => noPlay(`the text could not be read as a play (${err instanceof Error ? err.message : String(err)})`);

/** The analysis as a play, or the reason it is none. */
function judge(analysis: Analysis): RulesResult {
  if (analysis.speeches < MIN_SPEECHES || analysis.speakers < MIN_SPEAKERS || analysis.repeated < 1) {
    throw noPlay(`${analysis.speeches} speeches by ${analysis.speakers} speakers`);
  }
  if (analysis.cueShare < MIN_CUE_SHARE) {
    throw noPlay(`only ${Math.round(analysis.cueShare * 100)}% of paragraphs open a speech`);
  }
  return { play: analysis.play, diagnostics: { uncertain: analysis.uncertain } };
}

/**
 * Where acts, scenes and speeches start, as character offsets into `text`, in order: a chunked pipeline
 * cuts only at these offsets, so no chunk ends inside a speech. Empty when the text is not a play.
 */
export function findBoundaries(text: string): Boundary[] {
  try {
    return runSteps(analyzeSteps(text)).boundaries;
  } catch {
    return [];
  }
}
