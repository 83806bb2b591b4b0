import type { PlayParser } from '../parser.js';
import { parseRules } from './index.js';

// The rules parser reads a play as a whole: the cast list, the front matter and the speaker labels seen
// anywhere decide how every line is attributed, and the file name is its title of last resort. So its
// plan is one chunk, and the parsing happens in `assemble`, the one step that has the file name; a
// checkpoint after the chunk costs nothing and keeps every parser on the same path.
export const rulesParser: PlayParser<null, null> = {
  name: 'rules',
  plan: (text) => [{ index: 0, group: 'play', start: 0, end: text.length }],
  initialGroupState: () => null,
  parseChunk: async () => ({ result: null, groupState: null }),
  assemble: (text, _results, _config, meta) => parseRules(text, { filename: meta.filename }).play,
};
