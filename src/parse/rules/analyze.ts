import type { Analysis } from './analysis.js';
import { MIN_PLAY_SPEECHES, joinPlays, splitPlays, type PlayText } from './anthology.js';
import { readCues, splitAtLineCues } from './cue-scan.js';
import { draftPlay } from './draft.js';
import { finishDraft } from './finish.js';
import { findEnvelope, readTitlePage, tidyTitle, type Envelope } from './frontmatter.js';
import { labelKey } from './characters.js';
import { parseCue } from './cues.js';
import { findPlayStart } from './play-start.js';
import { resolveSpeakers } from './speakers.js';
import { displayCase, splitLines } from './text.js';
import { lineStyle } from './verse.js';

// The parse itself: paragraphs in, acts, scenes, speeches and directions out.

export function analyze(text: string, filename?: string): Analysis {
  const lines = splitLines(text);
  const env = findEnvelope(lines);
  const plays = splitPlays(lines, env.ranges);
  const analyses = plays.map((p) => analyzePlay(text, p, env, filename));
  if (analyses.length === 1) return analyses[0]!;
  // Several plays in one text: those that are plays, one after another, with one cast.
  const real = analyses.filter((a) => a.speeches >= MIN_PLAY_SPEECHES);
  return joinPlays(real.length ? real : analyses);
}

/** One play's analysis, from the lines and paragraphs of the text that belong to it. */
function analyzePlay(text: string, playText: PlayText, env: Envelope, filename?: string): Analysis {
  const bodyLines = playText.lines;
  let units = playText.units;
  let cues = readCues(text, units);
  const resplit = splitAtLineCues(units, cues);
  if (resplit) {
    units = resplit;
    cues = readCues(text, units);
  }
  const startUnit = findPlayStart(units, cues);
  const titlePage = readTitlePage(bodyLines);
  // A text that opens with a speech (`ANNA. Hello there.`) prints no title; it is named after its file.
  if (titlePage.title && opensSpeech(titlePage.title, cues.accepted)) titlePage.title = null;
  const title = env.title ?? (titlePage.title ? tidyTitle(titlePage.title) : null) ?? filenameTitle(filename);
  const author = env.author ?? titlePage.author ?? '';

  const speakers = resolveSpeakers(units, startUnit, cues);
  const draft = draftPlay({ units, startUnit, cues, speakers, style: lineStyle(bodyLines) });
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
