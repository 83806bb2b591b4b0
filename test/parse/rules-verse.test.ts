import { describe, expect, it } from 'vitest';
import { directions, parse, scene, speeches, whoSays } from './rules-helpers.js';

// Verse keeps its printed lines, prose loses the wraps of the page, decided per speech from the text.

/** Greedy wrap at `width` columns, the first line sharing its row with `label`. */
function wrap(label: string, words: string, width: number): string {
  const rows: string[] = [];
  let row = label;
  for (const w of words.split(/\s+/)) {
    if (row.length > 0 && row.length + 1 + w.length > width) {
      rows.push(row);
      row = w;
    } else row = row ? `${row} ${w}` : w;
  }
  rows.push(row);
  return rows.join('\n');
}

const CHATTER = [
  'I have been waiting at the station since the morning train and nobody came to meet me, not even the porter with his little cart.',
  'The porter is asleep in the back room, as he always is on a Tuesday after the market, and there is no waking him before the evening.',
  'Then I shall carry my own trunk up the hill, though it holds every book I own and half the kitchen besides, and my aunt will be told.',
  'Your aunt knows already; she saw you from the window of the post office and sent me down with a lantern and a very long list of errands.',
];

describe('prose wrapped at a page width', () => {
  const speechesOf = (width: number) =>
    scene(
      ...Array.from({ length: 12 }, (_, i) => wrap(i % 2 ? 'TOBIAS.' : 'MIRREN.', CHATTER[i % CHATTER.length]!, width)),
      'MIRREN. Quite a long walk it is from the mill to the house of Mrs.\nCardew.',
      'TOBIAS. Then walk it.',
    );

  it('joins the hard wraps of every prose speech into one paragraph', () => {
    const play = parse(speechesOf(66));
    for (const s of speeches(play)) {
      expect(s.text).not.toContain('\n');
      expect(s.preserveLineBreaks).toBe(false);
    }
    expect(whoSays(play, 'The porter is asleep')).toEqual(['Tobias']);
  });

  it('counts the label beside the first line when it tells a wrap, even before a capital', () => {
    const play = parse(speechesOf(66));
    expect(speeches(play).find((s) => s.text.startsWith('Quite a long walk'))!.text).toBe(
      'Quite a long walk it is from the mill to the house of Mrs. Cardew.',
    );
  });

  it('keeps the lines of a song that end well short of the width', () => {
    const text = speechesOf(72).replace(
      'TOBIAS. Then walk it.',
      'TOBIAS. Then walk it, and sing:\n\nMIRREN. Over the hill and down to the mill,\nThe lantern is lit and the kettle is still,\nAnd nobody waits at the door.\n\nTOBIAS. Very pretty.',
    );
    const song = speeches(parse(text)).find((s) => s.text.startsWith('Over the hill'))!;
    expect(song.text).toBe('Over the hill and down to the mill,\nThe lantern is lit and the kettle is still,\nAnd nobody waits at the door.');
    expect(song.preserveLineBreaks).toBe(true);
  });
});

describe('verse printed one line a line', () => {
  it('keeps each verse line, and joins a line carried over onto the next in lower case', () => {
    const play = parse(
      scene(
        'WARDEN\nWho walks the wall so late beneath the moon,\nAnd will not answer to the watchman\'s cry?',
        'CORVIN\nA friend, good Warden, that has lost his way\nBetween the river and the chapel gate, and\nnow\nWould sleep a little by your brazier here.',
        "WARDEN  Then sit, and warm your hands, and tell me all.",
        'CORVIN\nThere is not much to tell. I came by boat,\nAnd then on foot, and then I lost the road.',
      ),
    );
    const corvin = speeches(play).find((s) => s.text.startsWith('A friend'))!;
    expect(corvin.text).toBe(
      'A friend, good Warden, that has lost his way\nBetween the river and the chapel gate, and now\nWould sleep a little by your brazier here.',
    );
    expect(corvin.preserveLineBreaks).toBe(true);
  });

  it('joins prose broken at the edition\'s line ends, going on in lower case', () => {
    const play = parse(
      scene(
        'WARDEN\nWho walks the wall so late beneath the moon,\nAnd will not answer to the watchman\'s cry?',
        'CORVIN  Marry, sir, a poor fellow that hath walked\nsince cockcrow and would fain sit down by\nyour fire, if your worship will allow it.',
        'WARDEN\nSit down, then, and be welcome to the fire,\nAnd tell me what the road was like tonight.',
        'CORVIN  Muddy, sir.',
      ),
    );
    expect(speeches(play).find((s) => s.text.startsWith('Marry'))!.text).toBe(
      'Marry, sir, a poor fellow that hath walked since cockcrow and would fain sit down by your fire, if your worship will allow it.',
    );
  });

  it('keeps verse lines that begin in lower case, as Spanish and Italian verse does', () => {
    const play = parse(
      scene(
        'LUCINDA\n      ¿Quién llama a la puerta\n      con tanta prisa y tan tarde,\n      cuando la luna no arde\n      y la calle está desierta?',
        'FABIO\n      Un hombre que no concierta\n      su paso con su fortuna.',
        'LUCINDA\n      Pues no hay posada ninguna\n      en esta casa.',
        'FABIO\n      Ninguna.',
      ),
    );
    const first = speeches(play)[0]!;
    expect(first.text.split('\n')).toHaveLength(4);
    expect(first.preserveLineBreaks).toBe(true);
    expect(speeches(play)[1]!.text).toBe('Un hombre que no concierta\nsu paso con su fortuna.');
  });

  it('keeps a spoken aside in parentheses inside verse when the play marks directions with [ ]', () => {
    const play = parse(
      scene(
        '[Enter Lucinda and Fabio.]',
        'LUCINDA\nYa lo sabes (y no lo niego)\nque te quiero desde ayer.',
        'FABIO\nY yo (si esto es querer)\nno sé vivir de otro fuego.',
        '[Exit Lucinda.]',
        'FABIO\nSe fue la luz con ella.',
        'LUCINDA [within]\nFabio, ven.',
        '[Exit.]',
      ),
    );
    expect(speeches(play)[0]!.text).toBe('Ya lo sabes (y no lo niego)\nque te quiero desde ayer.');
    expect(speeches(play)[1]!.text).toBe('Y yo (si esto es querer)\nno sé vivir de otro fuego.');
    expect(directions(play).map((d) => d.text)).toEqual(['Enter Lucinda and Fabio.', 'Exit Lucinda.', 'within', 'Exit.']);
  });

  it('leaves an editor\'s letter in brackets inside a word', () => {
    const play = parse(scene('[Enter Fabio.]', 'FABIO\nUn mo[n]struo en forma de ho[m]bre\nme sigue.', 'LUCINDA\nNo temas.', 'FABIO\nTemo.', 'LUCINDA\nVen.', '[Exit.]'));
    expect(speeches(play)[0]!.text).toBe('Un mo[n]struo en forma de ho[m]bre\nme sigue.');
  });
});
