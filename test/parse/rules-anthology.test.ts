import { describe, expect, it } from 'vitest';
import { lowerCaseCounter } from '../../src/parse/rules/labels.js';
import { parse, scene, speeches, whoSays } from './rules-helpers.js';

// Several plays in one text, each with its own title page, cast list and acts, some wrapped in a
// distributor's header and licence.

const licence = (title: string) => [
  `*** END OF THE PROJECT GUTENBERG EBOOK ${title} ***`,
  'Section 1. General Terms of Use.\n\nMARK. You may copy it.\n\nJOHN. Nobody may sell it.',
  'subscribe to our email newsletter to hear about new eBooks.',
];

const header = (title: string) => [
  `The Project Gutenberg EBook of ${title}, by Nobody`,
  `Title: ${title}`,
  `*** START OF THE PROJECT GUTENBERG EBOOK ${title} ***`,
];

const firstPlay = [
  'THE MILL\nA Comedy\nby Nobody',
  'CHARACTERS\n\nANNA, a miller\nBORIS, her son',
  'ACT I',
  'ANNA. Where have you been?',
  'BORIS. Out at the mill.',
  'ANNA. Out where?',
  'BORIS. Just out.',
  'ACT II',
  'ANNA. Back again?',
  'BORIS. Back again.',
];

const secondPlay = [
  'DER KRUG\nEin Lustspiel\nvon Niemand',
  'PERSONEN\n\nWalter, Gerichtsrat\nAdam, Dorfrichter',
  'ERSTER AUFZUG',
  'Walter. Wo ist der Krug?',
  'Adam. Zerbrochen, Herr.',
  'Walter. Von wem?',
  'Adam. Von niemand.',
  'ZWEITER AUFZUG',
  'Walter. Genug.',
  'Adam. Gewiss.',
];

describe('several plays in one text', () => {
  it('reads each play with its own cast and sets their acts one after another', () => {
    const play = parse(scene(...firstPlay, ...secondPlay));
    expect(play.title).toBe('The Mill');
    expect(play.acts.map((a) => a.title)).toEqual(['ACT I', 'ACT II', 'ERSTER AUFZUG', 'ZWEITER AUFZUG']);
    expect(whoSays(play, 'Out at the mill.')).toEqual(['Boris']);
    expect(whoSays(play, 'Zerbrochen, Herr.')).toEqual(['Adam']);
    const walter = play.characters.find((c) => c.name === 'Walter')!;
    expect(walter.description).toBe('Gerichtsrat');
    // The second title page belongs to no speech of the first play.
    expect(speeches(play).some((l) => l.text.includes('Lustspiel'))).toBe(false);
  });

  it('leaves out the header and licence around each book, however many there are', () => {
    const play = parse(scene(...header('The Mill'), ...firstPlay, ...licence('The Mill'), ...header('Der Krug'), ...secondPlay, ...licence('Der Krug')));
    expect(play.acts).toHaveLength(4);
    expect(speeches(play)).toHaveLength(12);
    expect(play.characters.map((c) => c.name)).not.toContain('Mark');
    expect(speeches(play).some((l) => /sell|Terms/.test(l.text))).toBe(false);
  });

  it('does not split a play whose table of contents lists its acts', () => {
    const play = parse(scene('CONTENTS', 'ACT I. The mill', 'ACT II. The yard', ...firstPlay));
    expect(play.acts.map((a) => a.title)).toEqual(['ACT I', 'ACT II']);
    expect(speeches(play)).toHaveLength(6);
  });
});

describe('counting ordinary words', () => {
  it('counts the same whether it searches or indexes the text', () => {
    const text = "the man and The Man; 'tis the man's hat. MAN man-made manner the man";
    const words = ['man', 'the', 'tis', 'manner', 'the man', 'made', 'hat', 'nobody'];
    const searched = lowerCaseCounter(text);
    const expected = words.map((w) => searched(w));
    // Enough questions to make the counter index the text, then the same questions again.
    const indexed = lowerCaseCounter(text);
    for (let i = 0; i < 40; i++) indexed(`word${i}`);
    expect(words.map((w) => indexed(w))).toEqual(expected);
  });
});
