import type { PlayParser } from '../parser.js';
import { parseRulesInSlices } from './index.js';

// The rules parser reads a play as a whole: the cast list, the front matter and the speaker labels seen
// anywhere decide how every line is attributed, and the file name is its title of last resort. So its
// plan is one chunk, and the parsing happens in `assemble`, the one step that has the file name; a
// checkpoint after the chunk costs nothing and keeps every parser on the same path. The parse runs in slices
// that report how far it is, so a long play's job shows it moving (and its worker keeps renewing its lease).
export const rulesParser: PlayParser<null, null> = {
  name: 'rules',
  plan: (text) => [{ index: 0, group: 'play', start: 0, end: text.length }],
  initialGroupState: () => null,
  parseChunk: async () => ({ result: null, groupState: null }),
  assembleShare: 1,
  assemble: async (text, _results, _config, meta) =>
    (await parseRulesInSlices(text, { filename: meta.filename, progress: meta.progress, signal: meta.signal })).play,
};
