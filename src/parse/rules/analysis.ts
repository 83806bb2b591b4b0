import type { ParsedPlay } from '../play.js';

// What reading one play (or several run together) yields: the play, and what a chunked pipeline or a
// later check needs from the same pass.

export type UncertainKind = 'unattributed' | 'unknown-label' | 'unclassified-block' | 'joint-unknown';

export interface Uncertain {
  kind: UncertainKind;
  actIndex: number;
  sceneIndex: number;
  lineIndex: number;
  text: string;
  sourceStart: number;
  sourceEnd: number;
}

export interface Boundary {
  offset: number;
  kind: 'act' | 'scene' | 'speech';
}

export interface Analysis {
  play: ParsedPlay;
  uncertain: Uncertain[];
  boundaries: Boundary[];
  speeches: number;
  /** People who speak. */
  speakers: number;
  /** Of them, those with two speeches or more. */
  repeated: number;
  /** Share of the play's paragraphs that open a speech: low for prose that is not a play. */
  cueShare: number;
}
