import type { Block } from './text.js';

// A paragraph's text with its lines joined by `\n` and their left margins removed, keeping for every
// line its indentation and where it sits in the source, so any slice can be mapped back.

export interface PieceLine {
  text: string;
  indent: number;
  /** Column where `text` starts on its printed line (after the label when a speech opens beside it). */
  col: number;
  /** Source offset of `text[0]`. */
  src: number;
}

export interface Piece {
  lines: PieceLine[];
  joined: string;
  /** Offset in `joined` where each line starts. */
  starts: number[];
}

function fromLines(lines: PieceLine[]): Piece {
  const starts: number[] = [];
  let pos = 0;
  for (const l of lines) {
    starts.push(pos);
    pos += l.text.length + 1;
  }
  return { lines, joined: lines.map((l) => l.text).join('\n'), starts };
}

export function pieceOf(block: Block): Piece {
  return fromLines(
    block.lines.map((l) => {
      const lead = l.text.length - l.text.trimStart().length;
      return { text: l.text.trimStart(), indent: l.indent, col: lead, src: l.start + lead };
    }),
  );
}

export function slicePiece(piece: Piece, from: number, to = piece.joined.length): Piece {
  const out: PieceLine[] = [];
  piece.lines.forEach((l, i) => {
    const s = piece.starts[i]!;
    const a = Math.max(from, s);
    const b = Math.min(to, s + l.text.length);
    if (b <= a && !(a === b && out.length > 0 && a < to)) return;
    const text = l.text.slice(a - s, b - s);
    out.push({ text, indent: l.indent, col: l.col + (a - s), src: l.src + (a - s) });
  });
  while (out.length && out[0]!.text.trim() === '') out.shift();
  while (out.length && out[out.length - 1]!.text.trim() === '') out.pop();
  if (out.length) {
    const first = out[0]!;
    const lead = first.text.length - first.text.trimStart().length;
    out[0] = { text: first.text.trimStart(), indent: first.indent, col: first.col + lead, src: first.src + lead };
  }
  return fromLines(out);
}

export function sourceAt(piece: Piece, pos: number): number {
  let i = piece.lines.length - 1;
  while (i > 0 && piece.starts[i]! > pos) i--;
  const line = piece.lines[i];
  if (!line) return 0;
  return line.src + Math.min(pos - piece.starts[i]!, line.text.length);
}

export function sourceEnd(piece: Piece): number {
  const last = piece.lines[piece.lines.length - 1];
  return last ? last.src + last.text.length : 0;
}

/** One line, or lines that go on in lower case: running prose rather than a list or verse. */
export function looksLikeProse(piece: Piece): boolean {
  if (piece.lines.length === 1) return true;
  return piece.lines.slice(1).some((l) => /^\p{Ll}/u.test(l.text));
}
