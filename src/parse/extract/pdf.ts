// PDF → text with pdf.js (through unpdf). unpdf is imported only when a PDF is met: it is large, and
// commands that never see a PDF must start fast.
import { UserError } from '../../errors.js';
import { pagesToText, type TextPiece } from './pdf-layout.js';

type PdfDocument = Awaited<ReturnType<(typeof import('unpdf'))['getDocumentProxy']>>;

export async function pdfToText(bytes: Uint8Array, name: string): Promise<string> {
  const { getDocumentProxy } = await import('unpdf');
  let pdf: PdfDocument;
  try {
    // A copy: pdf.js takes ownership of (detaches) the buffer it is given, and it refuses Node Buffers.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (err) {
    throw openError(err, name);
  }
  try {
    const pages: TextPiece[][] = [];
    const widths: number[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      pages.push(content.items.flatMap((item) => ('str' in item ? [toPiece(item)] : [])));
      const [x0 = 0, , x1 = 0] = page.view;
      widths.push(Math.abs(x1 - x0));
      page.cleanup();
    }
    const text = pagesToText(pages, widths);
    if (text.trim() === '') {
      throw new UserError(
        `${name} has no text layer: it looks like a scanned image.`,
        'Run it through OCR first (for example ocrmypdf), or use a text, Word or text-based PDF edition of the play.',
      );
    }
    return text;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw corrupt(name, err);
  } finally {
    await pdf.destroy();
  }
}

function toPiece(item: { str: string; transform: number[]; width: number; height: number }): TextPiece {
  const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform;
  // The vertical scale of the text matrix is the font size; it is 0 only in degenerate files.
  const fontSize = Math.hypot(c, d) || Math.hypot(a, b) || item.height || 10;
  return { str: item.str, x, y, width: item.width, fontSize };
}

function openError(err: unknown, name: string): UserError {
  if (err instanceof Error && err.name === 'PasswordException') {
    return new UserError(
      `${name} is password-protected.`,
      'Open it with its password and save or print an unprotected copy, then try again.',
      { cause: err },
    );
  }
  return corrupt(name, err);
}

function corrupt(name: string, err: unknown): UserError {
  return new UserError(
    `${name} is not a readable PDF: it is damaged or not a PDF at all.`,
    'Open it in a PDF viewer and export or print it to a new PDF, or use a text edition of the play.',
    { cause: err },
  );
}
