// The flat HTML mammoth writes → text. A play's structure is in its lines, and the parser reads
// conventions from the text, so the HTML's structure becomes lines and blank lines:
// - a document typed like a text file (Enter at the end of every line, an empty paragraph between
//   speeches, as LibreOffice saves a text file) keeps its paragraphs as lines and its empty paragraphs as
//   blank lines; any other document gets a blank line between paragraphs (and headings, list items,
//   table cells), and <br /> is a line break;
// - italics become _underscores_, the plain-text mark of a stage direction (`_Aside._` in a speech, a
//   direction of its own), as pandoc turns them into italics; unless most of the text is italic, where
//   italics mark nothing. Other formatting is dropped;
// - a table row is one block, its cells one after another as lines: scripts set in a table (speaker in
//   one column, speech in the next) read as `SPEAKER` over the speech;
// - a centred speaker label (a short line in capitals, centred again and again) stays with the speech
//   under it, as a label on its own line does in a text file.

const BLOCK = /^(?:p|h[1-6]|li|td|th|dt|dd|blockquote|pre)$/;
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)[^>]*>/g;
/** Private-use characters marking where italics open and close until the paragraph is complete. */
const EM_OPEN = '\ue000';
const EM_CLOSE = '\ue001';
/** Marks a centred paragraph (set by docx.ts, which sees the alignment mammoth's HTML drops). */
export const CENTRED = '\ue002';
/** A centred label is a speaker's when the same one is centred at least this often. */
const MIN_LABEL_REPEATS = 2;
/** A document is typed like a text file when it has at least one empty paragraph for this many others. */
const LINES_PER_EMPTY_PARAGRAPH = 10;

export function htmlToText(html: string): string {
  const paragraphs: string[] = [];
  let current = '';
  let previousTag = '';
  let rows = 0;
  const endParagraph = () => {
    if (current !== '') paragraphs.push(current);
    current = '';
  };
  let at = 0;
  for (const match of html.matchAll(TAG)) {
    current += decodeEntities(html.slice(at, match.index));
    at = match.index + match[0].length;
    const name = match[1]!.toLowerCase();
    const closing = match[0].startsWith('</');
    if (name === 'br') current += '\n';
    else if (name === 'em' || name === 'i') current += closing ? EM_CLOSE : EM_OPEN;
    else if (name === 'tr') {
      // The cells' paragraphs are the row's lines, without the empty ones between them.
      if (closing) current = current.split('\n').filter((l) => l.trim() !== '').join('\n');
      endParagraph();
      rows = Math.max(0, rows + (closing ? -1 : 1));
    } else if (rows > 0 && BLOCK.test(name)) current += '\n';
    else if (name === 'p' && closing && previousTag === '<p>' && current === '') paragraphs.push('');
    else if (BLOCK.test(name)) endParagraph();
    previousTag = closing ? `</${name}>` : `<${name}>`;
  }
  current += decodeEntities(html.slice(at));
  endParagraph();
  const marked = italicsMarkSomething(paragraphs) ? paragraphs.map(markItalics) : paragraphs.map(dropItalics);
  return (typedLikeTextFile(marked) ? asLines(marked) : asBlocks(marked)).replaceAll(CENTRED, '');
}

/** A paragraph's lines without trailing spaces and without the empty lines at its edges. */
function lines(paragraph: string): string[] {
  const ls = paragraph.split('\n').map((l) => l.trimEnd());
  while (ls.length && ls[0] === '') ls.shift();
  while (ls.length && ls.at(-1) === '') ls.pop();
  return ls;
}

function asBlocks(paragraphs: string[]): string {
  const blocks = paragraphs.map((p) => lines(p).join('\n')).filter((block) => block !== '');
  const labels = centredLabels(blocks);
  return blocks.reduce((text, block, i) => {
    if (i === 0) return block;
    const previous = blocks[i - 1]!;
    const keepTogether = labels.has(previous) && !block.startsWith(CENTRED);
    return text + (keepTogether ? '\n' : '\n\n') + block;
  }, '');
}

/** Centred one-line blocks in capitals, without digits, that come back: speaker labels, not headings. */
function centredLabels(blocks: string[]): Set<string> {
  const counts = new Map<string, number>();
  for (const b of blocks) {
    const text = b.slice(CENTRED.length).trim();
    if (b.startsWith(CENTRED) && !text.includes('\n') && text.length <= 40 && /\p{Lu}/u.test(text) && !/[\p{Ll}\d]/u.test(text)) {
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
  }
  return new Set([...counts].filter(([, n]) => n >= MIN_LABEL_REPEATS).map(([b]) => b));
}

function asLines(paragraphs: string[]): string {
  const out = paragraphs.map((p) => lines(p).join('\n'));
  while (out.length && out[0] === '') out.shift();
  while (out.length && out.at(-1) === '') out.pop();
  return out.join('\n');
}

/**
 * The markup only tells that a paragraph is empty, not why; an empty paragraph is between the others,
 * not after a break that ended the paragraph before it (`<p></p>` between blocks, not a trailing `<br />`).
 */
function typedLikeTextFile(paragraphs: string[]): boolean {
  const empty = paragraphs.filter((p) => p.trim() === '').length;
  const full = paragraphs.length - empty;
  return full >= 2 && empty * LINES_PER_EMPTY_PARAGRAPH >= full;
}

const ITALIC_RUN = /\ue000([^\ue001]*)(?:\ue001|$)/g;

/** Italics mark directions only where they are the exception: under half of the document's letters. */
function italicsMarkSomething(paragraphs: string[]): boolean {
  let italic = 0;
  let all = 0;
  for (const p of paragraphs) {
    all += p.replace(/[\s\ue000\ue001]/g, '').length;
    for (const m of p.matchAll(ITALIC_RUN)) italic += m[1]!.replace(/\s/g, '').length;
  }
  return italic > 0 && italic * 2 < all;
}

function dropItalics(paragraph: string): string {
  return paragraph.replace(/[\ue000\ue001]/g, '');
}

function markItalics(paragraph: string): string {
  const joined = paragraph.replaceAll(EM_CLOSE + EM_OPEN, '');
  const plain = dropItalics(joined.replace(ITALIC_RUN, ''));
  // A paragraph in italics that is indented or bracketed is set apart already, as the text file sets it.
  if (plain.trim() === '' && /^\s*(?:\s|[[(])/.test(dropItalics(joined))) return dropItalics(joined);
  // Underscores hug the words: `_Aside._ ` rather than `_Aside. _`.
  return joined.replace(ITALIC_RUN, (_, inner: string) => {
    const m = /^(\s*)(.*?)(\s*)$/s.exec(inner)!;
    return m[2] ? `${m[1]}_${m[2]}_${m[3]}` : inner;
  });
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));/g, (entity, dec?: string, hex?: string, named?: string) => {
    if (named !== undefined) return NAMED[named] ?? entity;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
