// Spoken text as it should read: verse keeps its line breaks and relative indentation, prose printed
// with hard line wraps becomes one running paragraph.

export interface TextLine {
  text: string;
  indent: number;
}

export interface Rendered {
  text: string;
  preserveLineBreaks: boolean;
  /** Indentation of the passage's first line, in steps of four columns above the play's usual indent. */
  indentLevel: number;
}

/**
 * `wrapWidth` is the length prose lines are wrapped at in this text (0 when unknown); a passage whose
 * lines run up to it is prose, one whose lines start with capitals and end short is verse.
 */
export function render(lines: TextLine[], baseIndent: number, wrapWidth: number): Rendered {
  const body = lines.filter((l) => l.text.trim() !== '');
  if (body.length === 0) return { text: '', preserveLineBreaks: false, indentLevel: 0 };
  const minIndent = Math.min(...body.map((l) => l.indent));
  const indentLevel = Math.max(0, Math.round((minIndent - baseIndent) / 4));
  if (body.length === 1) return { text: body[0]!.text.trim(), preserveLineBreaks: false, indentLevel };
  const rest = body.slice(1);
  const capitals = rest.filter((l) => startsWithCapital(l.text)).length / rest.length;
  const full = wrapWidth > 0 ? body.slice(0, -1).filter((l) => l.text.length + l.indent >= wrapWidth * 0.8).length / (body.length - 1) : 0;
  const verse = capitals >= 0.75 && full < 0.6;
  if (!verse) {
    return { text: body.map((l) => l.text.trim()).join(' ').replace(/\s+/g, ' '), preserveLineBreaks: false, indentLevel };
  }
  const text = body.map((l) => ' '.repeat(Math.max(0, l.indent - minIndent)) + l.text.trim()).join('\n');
  return { text, preserveLineBreaks: true, indentLevel };
}

function startsWithCapital(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) return false;
    if (c < 128) continue;
    const ch = line[i]!;
    const lower = ch.toLowerCase();
    if (lower !== ch.toUpperCase()) return ch !== lower;
  }
  return false;
}

/** The length most prose lines of the text are wrapped at (0 when lines are not wrapped). */
export function wrapWidthOf(lengths: number[]): number {
  if (lengths.length < 20) return 0;
  // Unwrapped paragraphs run to hundreds of characters; then there is no wrap width to speak of.
  const LIMIT = 121;
  const counts = new Array<number>(LIMIT + 1).fill(0);
  for (const n of lengths) counts[Math.min(n, LIMIT)]!++;
  let seen = 0;
  const target = Math.floor(lengths.length * 0.9);
  for (let n = 0; n <= LIMIT; n++) {
    seen += counts[n]!;
    if (seen > target) return n >= LIMIT ? 0 : n;
  }
  return 0;
}
