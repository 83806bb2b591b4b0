// The flat HTML mammoth writes → text. Paragraphs (and headings, list items, table cells) are separated
// by a blank line, <br /> is a line break, formatting is dropped: a play's structure is in its lines,
// and the parser reads conventions from the text, not from fonts.

const BLOCK = /^(?:p|h[1-6]|li|td|th|dt|dd|blockquote|pre)$/;
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)[^>]*>/g;

export function htmlToText(html: string): string {
  const paragraphs: string[] = [];
  let current = '';
  const endParagraph = () => {
    const lines = current.split('\n').map((l) => l.trimEnd());
    while (lines.length && lines[0] === '') lines.shift();
    while (lines.length && lines.at(-1) === '') lines.pop();
    if (lines.length) paragraphs.push(lines.join('\n'));
    current = '';
  };
  let at = 0;
  for (const match of html.matchAll(TAG)) {
    current += decodeEntities(html.slice(at, match.index));
    at = match.index + match[0].length;
    const name = match[1]!.toLowerCase();
    if (name === 'br') current += '\n';
    else if (BLOCK.test(name)) endParagraph();
  }
  current += decodeEntities(html.slice(at));
  endParagraph();
  return paragraphs.join('\n\n');
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));/g, (entity, dec?: string, hex?: string, named?: string) => {
    if (named !== undefined) return NAMED[named] ?? entity;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
