import type { Analysis } from './analysis.js';
import { MIN_PLAY_SPEECHES, joinPlays, splitPlays, type PlayText } from './anthology.js';
import { readCues, splitAtLineCues } from './cue-scan.js';
import { draftSteps } from './draft.js';
import type { Steps } from './steps.js';
import { finishDraft } from './finish.js';
import { findEnvelope, readTitlePage, tidyTitle, type Envelope } from './frontmatter.js';
import { labelKey } from './characters.js';
import { parseCue } from './cues.js';
import { findPlayStart } from './play-start.js';
import { resolveSpeakers } from './speakers.js';
import { displayCase, splitLines } from './text.js';
import { lineStyle } from './verse.js';

// The parse itself: paragraphs in, acts, scenes, speeches and directions out.

// Where the parse is (0–1) after each step, as profiled on long plays: splitting the text into lines and
// plays takes about a sixth of it; of each play's part, reading the cues a quarter, the speakers a sixth,
// the draft half, finishing the rest.
const AFTER_SPLIT = 0.17;
const AFTER_CUES = 0.25;
const AFTER_SPEAKERS = 0.4;
const AFTER_DRAFT = 0.95;

/** The parse, yielding how far it is (0–1) between its steps and through the draft of each play. */
export function* analyzeSteps(text: string, filename?: string): Steps<Analysis> {
  const lines = splitLines(text);
  const env = findEnvelope(lines);
  const plays = splitPlays(lines, env.ranges);
  yield AFTER_SPLIT;
  const analyses: Analysis[] = [];
  for (const [k, p] of plays.entries()) {
    // Each play of an anthology has an equal share of what is left.
    const at = (done: number) => AFTER_SPLIT + ((1 - AFTER_SPLIT) * (k + done)) / plays.length;
    analyses.push(yield* analyzePlay(text, p, env, filename, at));
  }
  if (analyses.length === 1) return analyses[0]!;
  // Several plays in one text: those that are plays, one after another, with one cast.
  const real = analyses.filter((a) => a.speeches >= MIN_PLAY_SPEECHES);
  return joinPlays(real.length ? real : analyses);
}

/** One play's analysis, from the lines and paragraphs of the text that belong to it. */
function* analyzePlay(text: string, playText: PlayText, env: Envelope, filename: string | undefined, at: (done: number) => number): Steps<Analysis> {
  const bodyLines = playText.lines;
  let units = playText.units;
  let cues = readCues(text, units);
  const resplit = splitAtLineCues(units, cues);
  if (resplit) {
    units = resplit;
    cues = readCues(text, units);
  }
  yield at(AFTER_CUES);
  const startUnit = findPlayStart(units, cues);
  const titlePage = readTitlePage(bodyLines);
  // A text that opens with a speech (`ANNA. Hello there.`) prints no title; it is named after its file.
  if (titlePage.title && opensSpeech(titlePage.title, cues.accepted)) titlePage.title = null;
  const title = env.title ?? (titlePage.title ? tidyTitle(titlePage.title) : null) ?? filenameTitle(filename);
  const author = env.author ?? titlePage.author ?? '';

  const speakers = resolveSpeakers(units, startUnit, cues);
  yield at(AFTER_SPEAKERS);
  const steps = draftSteps({ units, startUnit, cues, speakers, style: lineStyle(bodyLines) });
  const draft = yield* scaled(steps, (done) => at(AFTER_SPEAKERS + (AFTER_DRAFT - AFTER_SPEAKERS) * done));
  const head = { title: title ?? '', author, year: titlePage.year, genre: titlePage.genre };
  const { play, uncertain } = finishDraft(draft, cues.roster, head);

  const playUnits = units.length - startUnit;
  return {
    play,
    uncertain,
    boundaries: draft.boundaries.sort((a, b) => a.offset - b.offset),
    speeches: draft.speechCount,
    speakers: draft.speechesBy.size,
    repeated: [...draft.speechesBy.values()].filter((n) => n >= 2).length,
    cueShare: playUnits > 0 ? cues.cueUnits.size / playUnits : 0,
  };
}

function opensSpeech(line: string, accepted: ReadonlySet<string>): boolean {
  const cue = parseCue(line);
  return cue !== null && accepted.has(labelKey(cue.label)) && cue.textStart < line.length;
}

function filenameTitle(filename?: string): string | null {
  if (!filename) return null;
  const base = filename.split(/[\\/]/).pop()!.replace(/\.[^.]+$/, '');
  if (!base) return null;
  const words = displayCase(base.replace(/[-_]+/g, ' ').trim());
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : null;
}

/** The steps' progress, mapped into a larger whole. */
function* scaled<T>(steps: Steps<T>, map: (done: number) => number): Steps<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    yield map(r.value);
  }
}
