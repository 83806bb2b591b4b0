// Word (.docx) → text through mammoth's HTML: its plain-text output drops soft line breaks (w:br),
// which would glue verse lines together. mammoth is imported only when a .docx is met, to keep start-up fast.
import { UserError } from '../../errors.js';
import { CENTRED, htmlToText } from './html.js';

/** Word measures indentation in twips; 120 twips (6 pt) is half an em of a 12 pt font, one space. */
const TWIPS_PER_SPACE = 120;

export async function docxToText(bytes: Uint8Array, name: string): Promise<string> {
  const { default: mammoth } = await import('mammoth');
  let html: string;
  try {
    ({ value: html } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) }, { transformDocument: prepare, ignoreEmptyParagraphs: false }));
  } catch (err) {
    throw new UserError(
      `${name} is not a readable Word document: it is damaged or not a .docx file.`,
      'Open it in Word or LibreOffice and save it again as .docx, or export the play as plain text.',
      { cause: err },
    );
  }
  const text = htmlToText(html);
  if (text.trim() === '') {
    throw new UserError(`${name} contains no text.`, 'Check that this is the play and not an empty or image-only document.');
  }
  return text;
}

/** mammoth's document model, as far as it is touched here. */
interface DocElement {
  type: string;
  children?: DocElement[];
  value?: string;
  breakType?: string;
  indent?: { start: string | null; firstLine: string | null; hanging: string | null };
  alignment?: string;
  isSmallCaps?: boolean;
  isAllCaps?: boolean;
}

/**
 * Footnote markers would read as bracketed stage directions in the middle of speeches, so they and
 * their notes go. Paragraph indentation, which mammoth's HTML drops, becomes leading spaces: indented
 * paragraphs are how Word scripts set stage directions and verse apart. Text in capitals or small
 * capitals is written in capitals, as it reads (speaker labels often are), and centred paragraphs are
 * marked for htmlToText, which keeps a centred speaker label with its speech.
 */
function prepare<T>(document: T): T {
  walk(document as DocElement);
  return document;
}

function walk(element: DocElement): void {
  if (!element.children) return;
  element.children = element.children.filter((child) => child.type !== 'noteReference');
  if (element.type === 'paragraph') {
    indentParagraph(element);
    if (element.alignment === 'center') markCentred(element);
  }
  if (element.type === 'run' && (element.isSmallCaps || element.isAllCaps)) {
    for (const node of leaves(element)) if (node.type === 'text' && node.value) node.value = node.value.toUpperCase();
  }
  element.children.forEach(walk);
}

function indentParagraph(paragraph: DocElement): void {
  const twips = (value: string | null | undefined) => Number(value ?? 0) || 0;
  const start = twips(paragraph.indent?.start);
  const first = start + twips(paragraph.indent?.firstLine) - twips(paragraph.indent?.hanging);
  const spaces = (tw: number) => ' '.repeat(Math.max(0, Math.round(tw / TWIPS_PER_SPACE)));
  if (start <= 0 && first <= 0) return;
  let pending: string | null = spaces(first);
  for (const node of leaves(paragraph)) {
    if (node.type === 'break' && node.breakType === 'line') pending = spaces(start);
    else if (node.type === 'text' && pending !== null && node.value) {
      node.value = pending + node.value;
      pending = null;
    }
  }
}

function markCentred(paragraph: DocElement): void {
  for (const node of leaves(paragraph)) {
    if (node.type === 'text' && node.value) {
      node.value = CENTRED + node.value;
      return;
    }
  }
}

function* leaves(element: DocElement): Generator<DocElement> {
  for (const child of element.children ?? []) {
    if (child.children) yield* leaves(child);
    else yield child;
  }
}
