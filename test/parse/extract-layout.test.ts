import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/parse/extract/html.js';
import { pagesToText, type TextPiece } from '../../src/parse/extract/pdf-layout.js';

const FS = 10;
const LEADING = 13;
/** Width of a piece of text in the tests: half an em per character, the extractor's idea of a space. */
const widthOf = (s: string) => s.length * FS * 0.5;

/** A page of lines, each `[text, x]` or `[text, x, y]`; lines without y follow each other at LEADING. */
function page(lines: Array<[string, number] | [string, number, number]>, top = 700): TextPiece[] {
  let y = top + LEADING;
  return lines.map(([str, x, atY]) => {
    y = atY ?? y - LEADING;
    return { str, x, y, width: widthOf(str), fontSize: FS };
  });
}

describe('PDF lines', () => {
  it('joins the pieces of one line, with a space only where there is a gap', () => {
    const pieces: TextPiece[] = [
      { str: 'Ham', x: 50, y: 700, width: 15, fontSize: FS },
      { str: 'let.', x: 65.3, y: 700, width: 20, fontSize: FS },
      { str: 'To', x: 87.5, y: 700, width: 10, fontSize: FS },
      { str: 'be', x: 100, y: 702, width: 10, fontSize: FS },
    ];
    expect(pagesToText([pieces])).toBe('Hamlet. To be');
  });

  it('keeps a wide gap between a cue and its speech as several spaces', () => {
    const pieces: TextPiece[] = [
      { str: 'HAMLET', x: 50, y: 700, width: 30, fontSize: FS },
      { str: 'To be, or not to be.', x: 100, y: 700, width: 90, fontSize: FS },
    ];
    expect(pagesToText([pieces])).toBe('HAMLET    To be, or not to be.');
  });

  it('indents lines by their distance from the page margin, half an em per space', () => {
    const text = pagesToText([
      page([
        ['HAMLET.', 50],
        ['To be, or not to be, that is the question:', 50],
        ['Whether ’tis nobler in the mind to suffer', 60],
        ['Enter OPHELIA.', 90],
      ]),
    ]);
    expect(text).toBe('HAMLET.\nTo be, or not to be, that is the question:\n  Whether ’tis nobler in the mind to suffer\n        Enter OPHELIA.');
  });

  it('separates paragraphs where the gap between lines is wider than usual', () => {
    const text = pagesToText([
      page([
        ['ACT I', 50, 700],
        ['SCENE 1', 50, 674],
        ['BERNARDO. Who’s there?', 50, 648],
        ['FRANCISCO. Nay, answer me. Stand', 50, 622],
        ['and unfold yourself.', 50, 609],
      ]),
    ]);
    expect(text).toBe('ACT I\n\nSCENE 1\n\nBERNARDO. Who’s there?\n\nFRANCISCO. Nay, answer me. Stand\nand unfold yourself.');
  });

  it('measures each page from its own margin, as books with mirrored margins need', () => {
    const text = pagesToText([page([['Left page.', 50], ['indented', 60]]), page([['Right page.', 70], ['indented', 80]])]);
    expect(text).toBe('Left page.\n  indented\nRight page.\n  indented');
  });

  it('ends a paragraph at a page break where a sentence ends and the indentation changes', () => {
    const text = pagesToText([page([['TOBIAS. I brought the oil.', 50]]), page([['He sets down the rope.', 70], ['NELL. Miss!', 50]])]);
    expect(text).toBe('TOBIAS. I brought the oil.\n\n    He sets down the rope.\nNELL. Miss!');
  });

  it('keeps a speech running on across a page break in one paragraph', () => {
    const verse = pagesToText([page([['HAMLET. To be, or not to be:', 50]]), page([['That is the question.', 50]])]);
    expect(verse).toBe('HAMLET. To be, or not to be:\nThat is the question.');
    const unfinished = pagesToText([page([['A stage direction that goes', 70], ['on to the next page', 70]]), page([['and ends there.', 70], ['NELL. Miss!', 50]])]);
    expect(unfinished.split('\n\n')).toHaveLength(1);
  });

  it('counts spaces a piece starts with as indentation', () => {
    expect(pagesToText([page([['NELL.', 50], ['   Like a lantern.', 50]])])).toBe('NELL.\n   Like a lantern.');
  });

  it('keeps a page that is indented as a whole indented', () => {
    const body = (n: number) => page([[`Line ${n}.`, 50], [`Line ${n + 1}.`, 50]]);
    const text = pagesToText([body(1), body(3), page([['A stage direction filling a page.', 90]]), body(5)]);
    expect(text.split('\n')).toContain('        A stage direction filling a page.');
  });
});

describe('lines broken by the producer', () => {
  /** Lines in a monospaced face (0.6 em per character) on a page 40 characters wide. */
  const MONO = 0.6 * FS;
  const monospaced = (lines: string[]): TextPiece[] =>
    lines.map((str, i) => ({ str, x: 50, y: 700 - i * LEADING, width: str.length * MONO, fontSize: FS }));
  const pageWidth = 2 * 50 + 40 * MONO;
  const wrapAt = (text: string, chars: number) =>
    text.split(' ').reduce<string[]>((lines, word) => {
      const last = lines.at(-1);
      if (last !== undefined && `${last} ${word}`.length <= chars) lines[lines.length - 1] = `${last} ${word}`;
      else lines.push(word);
      return lines;
    }, []);
  const prose =
    'MARGERY. The harbour lamps are older than the harbour, and every evening somebody remembered them, ' +
    'climbed the ladders, trimmed the wicks and polished the glasses against the salt, whatever the weather ' +
    'was doing, whoever was watching, and however tired the keeper happened to be on that particular evening. ' +
    'Tonight it is my turn, and the wind has already put out two of them.';

  it('joins the lines of a text a word processor broke between words', () => {
    expect(pagesToText([monospaced(wrapAt(prose, 40))], [pageWidth])).toBe(prose);
  });

  it('keeps the lines of a text its author wrapped narrower than the page', () => {
    const lines = wrapAt(prose, 37);
    expect(pagesToText([monospaced(lines)], [pageWidth])).toBe(lines.join('\n'));
  });

  it('makes a word hyphenated across a page break whole at the foot of the page', () => {
    const text = pagesToText([
      page([
        ['NELL. I only wanted to say that the lamp on the', 50],
        ['pier is out again, and the boats will not see it', 50],
        ['unless somebody climbs up there with the lan-', 50],
      ]),
      page([
        ['tern and the oil before the tide turns.', 50],
        ['TOBIAS. Then I will go.', 50],
      ]),
    ]);
    expect(text.split('\n')).toEqual([
      'NELL. I only wanted to say that the lamp on the',
      'pier is out again, and the boats will not see it',
      'unless somebody climbs up there with the lantern',
      'and the oil before the tide turns.',
      'TOBIAS. Then I will go.',
    ]);
  });

  it('keeps a hyphen at the end of a line that stops well short of the right edge', () => {
    const text = pagesToText([
      page([
        ['NELL. I only wanted to say that the lamp on the pier', 50],
        ['is out again, and the boats will not see the', 50],
        ['TOBIAS. Out? I lit it not an hour ago, and then-', 50],
        ['then the wind came.', 50],
      ]),
    ]);
    expect(text).toContain('and then-\nthen the wind came.');
  });
});

describe('page furniture', () => {
  const bodyPage = (n: number, first: string) =>
    page([
      [`The Tragedy of Hamlet ${n}`, 50, 740],
      [first, 50, 700],
      ['Speak to it, Horatio.', 50, 687],
      [String(n), 240, 40],
    ]);

  it('drops page numbers and running heads set apart from the text', () => {
    const text = pagesToText([1, 2, 3, 4].map((n) => bodyPage(n, `MARCELLUS. Line ${n}.`)));
    expect(text).not.toMatch(/Tragedy|^\d+$/m);
    expect(text.split('\n')).toHaveLength(8);
  });

  it('keeps a number or a repeated line that belongs to the text', () => {
    const pages = [1, 2, 3].map((n) =>
      page([
        ['HAMLET.', 50, 700],
        ['How many?', 50, 687],
        ['3', 50, 674],
      ]),
    );
    expect(pagesToText(pages)).toBe(Array(3).fill('HAMLET.\nHow many?\n3').join('\n'));
  });

  it('keeps a heading that appears on only a few pages of many', () => {
    const pages = [1, 2, 3, 4, 5, 6, 7].map((n) => page([[n <= 3 ? 'SCENE' : `Text ${n}`, 50, 740], ['Body.', 50, 700]]));
    expect(pagesToText(pages).match(/^SCENE$/gm)).toHaveLength(3);
  });
});

describe('Word HTML', () => {
  it('turns paragraphs into blocks, <br /> into line breaks and italics into underscores, dropping other formatting', () => {
    const html =
      '<h1>THE LANTERN KEEPER</h1><p><strong>MARGERY.</strong><br />The wind has turned.<br />    It calls my name.</p>' +
      '<p><em>Enter TOBIAS.</em></p><ul><li>One</li><li>Two</li></ul>';
    expect(htmlToText(html)).toBe(
      'THE LANTERN KEEPER\n\nMARGERY.\nThe wind has turned.\n    It calls my name.\n\n_Enter TOBIAS._\n\nOne\n\nTwo',
    );
  });

  it('decodes entities', () => {
    expect(htmlToText('<p>Tom &amp; Jerry &lt;aside&gt; &quot;Hi&quot; &#8212; &#x2019;tis&nbsp;so &bogus;</p>')).toBe(
      'Tom & Jerry <aside> "Hi" — ’tis\u00a0so &bogus;',
    );
  });

  it('marks italics inside a speech, and leaves italic paragraphs that are indented or bracketed as they are', () => {
    const html =
      '<p>MARGERY.<br /><em>Aside. </em><br />He is late.<br /><em>Aloud.</em><em> Come</em> up.</p>' +
      '<p><em>    He climbs.</em></p><p><em>[She waits.]</em></p><p>TOBIAS. Here I am, with the oil and the wick.</p>';
    expect(htmlToText(html)).toBe(
      'MARGERY.\n_Aside._\nHe is late.\n_Aloud. Come_ up.\n\n    He climbs.\n\n[She waits.]\n\nTOBIAS. Here I am, with the oil and the wick.',
    );
  });

  it('drops italics where most of the text is italic', () => {
    expect(htmlToText('<p><em>MARGERY. The wind has turned.</em></p><p>TOBIAS. <em>It has.</em></p>')).toBe(
      'MARGERY. The wind has turned.\n\nTOBIAS. It has.',
    );
  });

  it('reads a document typed like a text file, a paragraph per line, as lines and blank lines', () => {
    const lines = ['MARGERY', 'Who goes there?', '', 'TOBIAS  Your brother.', '', '', '  [He climbs.]'];
    const html = lines.map((l) => (l ? `<p>${l}</p>` : '<p></p>')).join('');
    expect(htmlToText(html)).toBe(lines.join('\n'));
    // Without empty paragraphs, paragraphs are blocks.
    expect(htmlToText('<p>MARGERY</p><p>Who goes there?</p>')).toBe('MARGERY\n\nWho goes there?');
  });

  it('drops empty lines at the edges of a paragraph and spaces at line ends', () => {
    expect(htmlToText('<p><br />A  <br />B<br /></p><p></p><table><tr><td><p>C</p></td></tr></table>')).toBe('A\nB\n\nC');
  });
});
