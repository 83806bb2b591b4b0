import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/parse/rules/index.js';
import { parsedPlaySchema, type ParsedPlay } from '../../src/parse/play.js';
import { formatPlaySummary } from '../../src/parse/summary.js';
import { speeches, whoSays } from './rules-helpers.js';

// Whole public-domain plays (test/fixtures/plays/README.md), checked against a few facts from their
// hand-made ground truth: structure, number of speeches, who speaks, and speeches whose speaker is
// easy to get wrong.

const dir = join(import.meta.dirname, '..', 'fixtures', 'plays');
const cache = new Map<string, ParsedPlay>();
function load(slug: string): ParsedPlay {
  let play = cache.get(slug);
  if (!play) {
    play = parseRules(readFileSync(join(dir, `${slug}.txt`), 'utf8'), { filename: `${slug}.txt` }).play;
    cache.set(slug, play);
  }
  return play;
}

interface Expectation {
  slug: string;
  title: string;
  author: string;
  /** Scenes per act (one implicit scene where the play has none). */
  scenes: number[];
  /** Speeches in the ground truth; the parse may split a few at directions, never lose any. */
  speeches: number;
  speakers: string[];
  says: Array<[string, string[]]>;
}

const plays: Expectation[] = [
  {
    slug: 'ibsen-a-dolls-house',
    title: "A Doll's House",
    author: 'Henrik Ibsen',
    scenes: [1, 1, 1],
    speeches: 1293,
    speakers: ['Nora', 'Torvald Helmer', 'Mrs. Linde', 'Nils Krogstad', 'Doctor Rank', 'Anne', 'Maid', 'A Porter'],
    says: [
      ['Hide the Christmas Tree carefully', ['Nora']],
      ['Sixpence.', ['A Porter']],
      // printed inside Helmer's paragraph
      ['Yes, Torvald, we may be a wee bit more reckless', ['Nora']],
      // printed inside a direction's paragraph
      ['How do you do, Nora?', ['Mrs. Linde']],
      // `Nurse` is Anne, their nurse
      ['The little ones are begging so hard', ['Anne']],
    ],
  },
  {
    slug: 'shaw-arms-and-the-man',
    title: 'Arms and the Man',
    author: 'George Bernard Shaw',
    scenes: [1, 1, 1],
    speeches: 751,
    speakers: ['Raina', 'Catherine', 'Louka', 'Bluntschli', 'Sergius', 'Petkoff', 'Nicola'],
    says: [
      ['Raina--', ['Catherine']],
      // `MAN` in the first act is the Bluntschli of the later ones, as the text says on his entrance
      ["Well, I don't intend to get killed if I can help it.", ['Bluntschli']],
      ['My hero! my hero!', ['Raina']],
    ],
  },
  {
    slug: 'synge-riders-to-the-sea',
    title: 'Riders to the Sea',
    author: 'J. M. Synge',
    scenes: [1],
    speeches: 122,
    speakers: ['Maurya', 'Bartley', 'Cathleen', 'Nora'],
    says: [
      ['Where is she?', ['Nora']],
      ["She's lying down, God help her", ['Cathleen']],
      ['UAH.', ['Cathleen', 'Nora']],
      ["It's a great wonder she wouldn't think of the nails", ['Another Man']],
    ],
  },
  {
    slug: 'wilde-importance-of-being-earnest',
    title: 'The Importance of Being Earnest',
    author: 'Oscar Wilde',
    scenes: [1, 1, 1],
    speeches: 879,
    speakers: ['Algernon Moncrieff', 'Lane', 'Lady Bracknell', 'Cecily Cardew', 'Miss Prism', 'Merriman'],
    says: [
      ['Did you hear what I was playing, Lane?', ['Algernon Moncrieff']],
      ['Your Christian names are still an insuperable barrier', ['Hon. Gwendolen Fairfax', 'Cecily Cardew']],
    ],
  },
  {
    slug: 'lessing-emilia-galotti',
    title: 'Emilia Galotti',
    author: 'Gotthold Ephraim Lessing',
    scenes: [8, 11, 8, 8, 8],
    speeches: 835,
    speakers: ['Marinelli', 'Hettore Gonzaga', 'Odoardo', 'Claudia Galotti', 'Emilia Galotti', 'Gräfin Orsina', 'Pirro'],
    says: [
      // `Der Prinz` is Hettore Gonzaga, Prinz von Guastalla
      ['Klagen, nichts als Klagen!', ['Hettore Gonzaga']],
      ['Nein.', ['Der Kammerdiener']],
    ],
  },
  {
    slug: 'kleist-der-zerbrochne-krug',
    title: 'Der Zerbrochne Krug',
    author: 'Heinrich von Kleist',
    scenes: [13],
    speeches: 1002,
    speakers: ['Adam', 'Walter', 'Licht', 'Frau Marthe Rull', 'Eve', 'Ruprecht', 'Veit Tümpel', 'Frau Brigitte'],
    says: [
      ['Ei, was zum Henker, sagt, Gevatter Adam!', ['Licht']],
      ['Hier sind wir ja. Was wollt Ihr?', ['Erste Magd', 'Zweite Magd']],
    ],
  },
  {
    slug: 'chekhov-medved',
    title: 'Медведь',
    author: 'Антон Павлович Чехов',
    scenes: [11],
    speeches: 153,
    speakers: ['Лука', 'Елена Ивановна Попова', 'Григорий Степанович Смирнов'],
    says: [['Нехорошо, барыня...', ['Лука']]],
  },
];

describe.each(plays)('$slug', (e) => {
  it('has the printed structure, title and author', () => {
    const play = load(e.slug);
    expect(parsedPlaySchema.safeParse(play).success).toBe(true);
    expect(play.acts.map((a) => a.scenes.length)).toEqual(e.scenes);
    expect(play.title).toBe(e.title);
    expect(play.author).toBe(e.author);
  });

  it('finds every speech, and none in the front matter or licence', () => {
    const play = load(e.slug);
    const n = speeches(play).length;
    expect(n).toBeGreaterThanOrEqual(e.speeches);
    // Speeches are split only at directions inside them.
    expect(n).toBeLessThan(e.speeches * 1.2);
    const text = speeches(play).map((l) => l.text).join('\n');
    expect(text).not.toMatch(/Project Gutenberg|gutenberg\.org|Mr\. George Alexander/);
  });

  it('names its speakers', () => {
    const names = new Set(speeches(load(e.slug)).flatMap((l) => l.characters));
    for (const s of e.speakers) expect(names).toContain(s);
  });

  it.each(e.says)('gives "%s" to %j', (prefix, who) => {
    expect(whoSays(load(e.slug), prefix)).toEqual(who);
  });
});

describe('summary', () => {
  it('reads title, author, structure and cast with their speeches', () => {
    const text = formatPlaySummary(load('lessing-emilia-galotti'));
    expect(text).toMatch(/^Emilia Galotti\nby Gotthold Ephraim Lessing/);
    expect(text).toContain('5 acts, 43 scenes');
    expect(text).toContain('Erster Aufzug: 8 scenes');
    expect(text).toMatch(/Marinelli\s+221 speeches/);
    expect(text).toMatch(/Hettore Gonzaga\s+157 speeches \(as Der Prinz\)/);
  });
});
