import { createHash } from 'node:crypto';

/** The de-duplication key of a text: the same play saved with CRLF or LF line ends is the same job. */
export function contentHash(text: string): string {
  // Most texts have no CR at all: looking for one is cheaper than a regular expression's pass over the text.
  return createHash('sha256').update(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text).digest('hex');
}
