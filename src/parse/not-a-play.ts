// What to tell someone whose text the parser found no play in, the same from `parse` and from a failed
// job. When the bytes were decoded by a guess, or decoding left replacement characters, the likelier
// cause is the encoding, and the hint says which flag fixes it.

export const NOT_A_PLAY_HINT = 'Is this a play script? Speaker names, acts and scenes are what the parser looks for.';

export function isNotAPlay(message: string): boolean {
  return message.startsWith('no play structure found');
}

export function notAPlayHint(text: string, encoding?: string | null): string {
  const replaced = (text.match(/\uFFFD/g) ?? []).length;
  const guessed = Boolean(encoding) && !/^utf-(8|16)/i.test(encoding ?? '');
  if (replaced > 0 || guessed) {
    const how = replaced > 0 ? `${replaced} character(s) could not be decoded` : `the text was read as ${encoding!}`;
    return `${NOT_A_PLAY_HINT} If its letters look wrong (${how}), enqueue it again with --encoding, e.g. --encoding windows-1251 or koi8-r.`;
  }
  return NOT_A_PLAY_HINT;
}
