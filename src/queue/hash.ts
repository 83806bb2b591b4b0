import { createHash } from 'node:crypto';

/** The de-duplication key of a text: the same play saved with CRLF or LF line ends is the same job. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n?/g, '\n')).digest('hex');
}
