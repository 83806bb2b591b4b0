import * as crypto from 'node:crypto';

// The one-shot hash where Node has it (20.12 and later): a bulk enqueue hashes every text before its
// statement can go out, and for short texts the one-shot call takes half the time of a Hash object.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The de-duplication key of a text: the same play saved with CRLF or LF line ends is the same job. */
export function contentHash(text: string): string {
  // Most texts have no CR at all: looking for one is cheaper than a regular expression's pass over the text.
  return sha256Hex(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text);
}
