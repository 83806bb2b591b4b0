import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { findBoundaries, parseRules } from '../../src/parse/rules/index.js';
import { matchHeadings } from '../../src/parse/rules/headings.js';
import { allLines, directions, parse, scene, speeches, whoSays } from './rules-helpers.js';

describe('speaker cue layouts', () => {
  it('reads a name alone on its line, with the speech below it', () => {
    const play = parse(
      scene('ANNA\nWhere have you been?', 'BORIS\nOut in the rain,\nAnd back again.', 'ANNA\nYou are wet through.', 'BORIS\nI am.'),
    );
    expect(speeches(play).map((l) => l.characters[0])).toEqual(['Anna', 'Boris', 'Anna', 'Boris']);
    const verse = speeches(play)[1]!;
    expect(verse.text).toBe('Out in the rain,\nAnd back again.');
    expect(verse.preserveLineBreaks).toBe(true);
  });

  it('reads NAME  text with two spaces', () => {
    const play = parse(scene('ANNA  Where have you been?', 'BORIS  Out.', 'ANNA  Out where?', 'BORIS  Just out.'));
    expect(whoSays(play, 'Out where?')).toEqual(['Anna']);
    expect(speeches(play)).toHaveLength(4);
  });

  it('reads NAME text with one space when the speech opens with a one-letter word, `And` or a quotation', () => {
    const play = parse(
      scene(
        'HAMLET Where is my father?',
        'HORATIO My lord, I think I saw him yesternight.',
        'HAMLET O, wonderful!',
        'HORATIO And so did Marcellus.',
        'HAMLET O God, God! Saw? Who?',
        'HORATIO "Remember me," he said.',
        'HAMLET I will.',
        'HORATIO O, my lord!',
      ),
    );
    expect(speeches(play)).toHaveLength(8);
    expect(new Set(speeches(play).flatMap((l) => l.characters))).toEqual(new Set(['Hamlet', 'Horatio']));
    expect(whoSays(play, 'O, wonderful!')).toEqual(['Hamlet']);
    expect(whoSays(play, 'And so did Marcellus.')).toEqual(['Horatio']);
    expect(whoSays(play, 'O God, God!')).toEqual(['Hamlet']);
    expect(whoSays(play, '"Remember me,"')).toEqual(['Horatio']);
  });

  it('reads NAME. text, Name. text and NAME: text', () => {
    for (const [a, b] of [
      ['ANNA.', 'BORIS.'],
      ['Anna.', 'Boris.'],
      ['ANNA:', 'BORIS:'],
      ['Anna:', 'Boris:'],
    ]) {
      const play = parse(scene(`${a} Where have you been?`, `${b} Out.`, `${a} Out where?`, `${b} Just out, Anna.`));
      expect(speeches(play).map((l) => l.characters[0])).toEqual(['Anna', 'Boris', 'Anna', 'Boris']);
      expect(whoSays(play, 'Just out')).toEqual(['Boris']);
    }
  });

  it('splits a direction attached to the label off as its own line, naming the speaker', () => {
    const play = parse(
      scene('ANNA (aside). He lies.', 'BORIS [to Anna] I heard that.', 'ANNA. Did you?', 'BORIS, laughing. Every word.', 'ANNA. Good.'),
    );
    const lines = allLines(play);
    expect(lines[0]).toMatchObject({ type: 'stage_direction', text: 'aside', characters: ['Anna'] });
    expect(lines[1]).toMatchObject({ type: 'dialogue', text: 'He lies.', characters: ['Anna'] });
    expect(lines[2]).toMatchObject({ type: 'stage_direction', text: 'to Anna', characters: ['Boris'] });
    expect(whoSays(play, 'Every word.')).toEqual(['Boris']);
  });

  it('reads a direction in underscores between the label and its full stop', () => {
    const play = parse(
      scene('Fischer. Der Fluss steigt.', 'Müller _tritt ans Fenster._. Er steigt seit Tagen.', 'Fischer. Und das Wehr?', 'Müller _leise._. Hält nicht mehr lange.'),
    );
    expect(whoSays(play, 'Er steigt seit Tagen.')).toEqual(['Müller']);
    expect(whoSays(play, 'Hält nicht mehr lange.')).toEqual(['Müller']);
    expect(directions(play).map((d) => d.text)).toEqual(['tritt ans Fenster.', 'leise.']);
  });

  it('reads `Name:` alone on its line with small words in lower case, even a label seen once or made of common words', () => {
    const names = ['Tomás el Herrero', 'Doña Clara', 'El hombre de la barca'];
    const blocks: string[] = [];
    for (let i = 0; i < 24; i++) blocks.push(`${names[i % 3]}:\nFrase número ${i + 1}, dicha junto al río.`);
    blocks.push('Una voz lejana:\n¡Eh, los de la barca!');
    blocks.push('Doña Clara:\nNo contestéis.');
    const play = parse('El hombre de la barca se acerca a la orilla. La barca es vieja.\n\n' + scene(...blocks));
    expect(whoSays(play, 'Frase número 3,')).toEqual(['El hombre de la barca']);
    expect(whoSays(play, '¡Eh, los de la barca!')).toEqual(['Una voz lejana']);
    expect(whoSays(play, 'No contestéis.')).toEqual(['Doña Clara']);
  });

  it('reads `Name.` alone on its line: names with lower-case words, ordinals, initials, and common words', () => {
    const blocks: string[] = [];
    const names = ['Вдова молодая', '1-я сестра', '2-я сестра', 'Г. K', 'Старик'];
    for (let i = 0; i < 25; i++) blocks.push(`${names[i % 5]}.\nСлово ${i + 1}, сказанное у печки.`);
    const play = parse('Старик сидит у печки. Старик молчит, старик курит.\n\n' + scene(...blocks));
    expect(whoSays(play, 'Слово 1,')).toEqual(['Вдова молодая']);
    expect(whoSays(play, 'Слово 2,')).toEqual(['1-я сестра']);
    expect(whoSays(play, 'Слово 4,')).toEqual(['Г. K']);
    expect(whoSays(play, 'Слово 5,')).toEqual(['Старик']);
    expect(speeches(play)).toHaveLength(25);
  });

  it('reads a number after the name as part of the label (CRIADO 2.º, SOLDADO 1)', () => {
    const play = parse(
      scene('CRIADO 1.º\n      ¿Quién va?', 'CRIADO 2.º\n      Nadie.', 'CRIADO 1.º\n      Pues alguien llama.', 'CRIADO 2.º\n      Será el viento.'),
    );
    expect(speeches(play).map((s) => s.characters[0])).toEqual(['Criado 1.º', 'Criado 2.º', 'Criado 1.º', 'Criado 2.º']);
    expect(speeches(play)[1]!.text).toBe('Nadie.');
  });

  it('reads capitals with no separator before the speech', () => {
    const play = parse(
      scene('NORA Where is she?', "CATHLEEN She's lying down, God help her.", 'NORA I seen nothing.', 'CATHLEEN "Is it you?" says she.'),
    );
    expect(speeches(play).map((l) => l.characters[0])).toEqual(['Nora', 'Cathleen', 'Nora', 'Cathleen']);
    expect(speeches(play)[2]!.text).toBe('I seen nothing.');
  });

  it('does not take ordinary words for speakers', () => {
    const play = parse(
      scene('ANNA. Yes. I think so.', 'BORIS. Well: it is late.', 'ANNA. Yes. Late.', 'BORIS. Well: go then.', 'Yes. He said so, and yes again.'),
    );
    expect(new Set(speeches(play).flatMap((l) => l.characters))).toEqual(new Set(['Anna', 'Boris']));
  });
});

describe('who speaks', () => {
  it('resolves labels through the cast list: KING is King Claudius', () => {
    const play = parse(
      scene(
        'Dramatis Personae\n\nKING CLAUDIUS, brother to the late king\nHAMLET, his nephew\nHORATIO, friend to Hamlet',
        'ACT I',
        'KING  How is it that the clouds still hang on you?',
        'HAMLET  Not so, my lord.',
        'KING  Then be it so.',
        'HORATIO  My lord.',
        'HAMLET  Horatio!',
      ),
    );
    expect(whoSays(play, 'How is it')).toEqual(['King Claudius']);
    const king = play.characters.find((c) => c.name === 'King Claudius')!;
    expect(king.aliases).toContain('KING');
    expect(king.description).toBe('brother to the late king');
  });

  it('resolves abbreviated labels to the full name', () => {
    const play = parse(
      scene(
        'HAMLET. Who is there?',
        'Hor. A friend.',
        'Ham. Welcome, Horatio.',
        'HORATIO. My lord.',
        'Ham. What news?',
        'Hor. None.',
        'HAMLET. None at all?',
      ),
    );
    expect(new Set(speeches(play).flatMap((l) => l.characters))).toEqual(new Set(['Hamlet', 'Horatio']));
  });

  it('keeps MACBETH and LADY MACBETH apart but joins Claudia and Claudia Galotti', () => {
    const mac = parse(scene('MACBETH. I have done the deed.', 'LADY MACBETH. I heard the owl.', 'MACBETH. When?', 'LADY MACBETH. Now.', 'MACBETH. As I descended?'));
    expect(new Set(speeches(mac).flatMap((l) => l.characters))).toEqual(new Set(['Macbeth', 'Lady Macbeth']));
    const gal = parse(
      scene('Claudia Galotti. Where is she?', 'Odoardo. In church.', 'Claudia. Still?', 'Odoardo. Still.', 'Claudia. Then we wait.', 'Odoardo. We wait.'),
    );
    expect(new Set(speeches(gal).flatMap((l) => l.characters))).toEqual(new Set(['Claudia Galotti', 'Odoardo']));
  });

  it('keeps numbered and unnamed speakers as people of their own', () => {
    const play = parse(
      scene(
        'FIRST WITCH  When shall we three meet again?',
        'SECOND WITCH  When the hurly-burly\'s done.',
        'THIRD WITCH  That will be ere the set of sun.',
        'FIRST WITCH  Where the place?',
        'SECOND WITCH  Upon the heath.',
        'A LORD  There to meet with Macbeth.',
        '1. CITIZEN  Who is there?',
        'A LORD  None but friends.',
        '1. CITIZEN  Pass, friends.',
      ),
    );
    const names = new Set(speeches(play).flatMap((l) => l.characters));
    expect(names).toEqual(new Set(['First Witch', 'Second Witch', 'Third Witch', 'A Lord', '1. Citizen']));
  });

  it('gives joint speeches to everyone they name', () => {
    const play = parse(
      scene(
        'HAMLET  Swear.',
        'HORATIO  My lord?',
        'MARCELLUS  What, my lord?',
        'HORATIO AND MARCELLUS  We swear.',
        'HORATIO/MARCELLUS  Again, we swear.',
        'Hamlet and Horatio. Then go.',
      ),
    );
    expect(whoSays(play, 'We swear.')).toEqual(['Horatio', 'Marcellus']);
    expect(whoSays(play, 'Again')).toEqual(['Horatio', 'Marcellus']);
    expect(whoSays(play, 'Then go.')).toEqual(['Hamlet', 'Horatio']);
  });

  it('gives ALL to those on stage but the one they answer, and BOTH to the two last speakers', () => {
    const play = parse(
      scene(
        '[Enter Hamlet, Horatio, Marcellus and Barnardo.]',
        'HAMLET  Hold you the watch tonight?',
        'HORATIO  We do.',
        'MARCELLUS  We do, my lord.',
        'BARNARDO  Tonight.',
        'HAMLET  Armed, say you?',
        'ALL  Armed, my lord.',
        '[Barnardo exits.]',
        'HAMLET  And you two?',
        'BOTH  We stay.',
      ),
    );
    expect(new Set(whoSays(play, 'Armed, my lord.'))).toEqual(new Set(['Horatio', 'Marcellus', 'Barnardo']));
    expect(new Set(whoSays(play, 'We stay.'))).toEqual(new Set(['Horatio', 'Marcellus']));
  });

  it('gives a plural label to the numbered speakers of that kind', () => {
    const play = parse(
      scene(
        'ERSTE MAGD. Hier, Herr.',
        'ADAM. Wo ist die andre?',
        'ZWEITE MAGD. Hier.',
        'ADAM. Kommt beide her.',
        'DIE BEIDEN MÄGDE. Hier sind wir ja.',
        'ADAM. Gut.',
      ),
    );
    expect(whoSays(play, 'Hier sind wir ja.')).toEqual(['Erste Magd', 'Zweite Magd']);
  });

  it('gives `Beide` and a noun whose plural is its singular to the numbered speakers of that kind', () => {
    const play = parse(
      scene(
        'Erster Fischer. Das Netz ist leer.',
        'Wirt. Und das andre?',
        'Zweiter Fischer. Auch leer.',
        'Erster Fischer. Ganz leer.',
        'Zweiter Fischer. Kein Fisch.',
        'Wirt. Dann trinkt.',
        'Beide Fischer. Zum Wohl!',
        'Wirt. Zahlt.',
        'Beide Fischer. Morgen!',
      ),
    );
    expect(whoSays(play, 'Zum Wohl!')).toEqual(['Erster Fischer', 'Zweiter Fischer']);
  });

  it('counts `Both` before the second one of the kind has spoken as the two of them, not as a third', () => {
    const play = parse(
      scene(
        'Erster Fischer. Das Netz ist leer.',
        'Wirt. Und das andre?',
        'Erster Fischer. Auch leer.',
        'Wirt. Dann trinkt.',
        'Erster Fischer. Gern.',
        'Beide Fischer. Zum Wohl!',
        'Zweiter Fischer. Kein Fisch.',
        'Wirt. Zahlt.',
        'Zweiter Fischer. Morgen!',
        'Wirt. Morgen also.',
        'Zweiter Fischer. Ganz sicher.',
      ),
    );
    expect(new Set(whoSays(play, 'Zum Wohl!'))).toEqual(new Set(['Erster Fischer', 'Zweiter Fischer']));
  });

  it('reads a plain role label as the first of the numbered ones when it speaks before them', () => {
    const play = parse(
      scene(
        'ACT I',
        'Scene 1',
        'GUARD. Who goes there?',
        'ANNA. A friend.',
        'GUARD. Pass, friend.',
        'Scene 2',
        'FIRST GUARD. Here she comes again.',
        'SECOND GUARD. Stop her.',
        'ANNA. Not again.',
        'FIRST GUARD. Yes, again.',
      ),
    );
    expect(whoSays(play, 'Who goes there?')).toEqual(['First Guard']);
    expect(whoSays(play, 'Here she comes')).toEqual(['First Guard']);
  });

  it('reads a plain role label as the first of the numbered ones when the cast counts them', () => {
    const cast = 'Characters in the Play\n\nANNA, a traveller\nTwo Guards at the gate';
    const body = [
      'ACT I',
      'Scene 1',
      'FIRST GUARD. Here she comes.',
      'SECOND GUARD. Stop her.',
      'ANNA. Let me pass.',
      'FIRST GUARD. Never.',
      'Scene 2',
      'GUARD. She is gone.',
      'ANNA. I am here.',
      'GUARD. So you are.',
    ];
    expect(whoSays(parse(scene(cast, ...body)), 'She is gone.')).toEqual(['First Guard']);
    // Without the count, a guard met after the numbered ones may be another guard.
    expect(whoSays(parse(scene(...body)), 'She is gone.')).toEqual(['Guard']);
  });

  it('gives a plural part of a joint label to the numbered speakers of that kind', () => {
    const play = parse(
      scene(
        'Erster Schütze. Wer kommt da?',
        'Zweiter Schütze. Der Wirt.',
        'Wirt. Ich bin es.',
        'Erster Schütze. Trinkt mit uns.',
        'Zweiter Schütze. Ja, trinkt.',
        'Wirt. Gern.',
        'Erster Schütze. Noch einen.',
        'Zweiter Schütze. Und noch einen.',
        'Wirt. Genug.',
        'Schützen und Wirt. Zum Wohl!',
      ),
    );
    expect(new Set(whoSays(play, 'Zum Wohl!'))).toEqual(new Set(['Erster Schütze', 'Zweiter Schütze', 'Wirt']));
  });

  it('reads a label seen once that is one more of a kind the play has, in a play of `Name. text` cues', () => {
    const play = parse(
      scene(
        'Erster Schütze. Wer kommt da?',
        'Wirt. Ich.',
        'Erster Schütze. Woher?',
        'Wirt. Von Ulm.',
        'Erster Schütze. Und Ihr, Nachbar?',
        'Zweiter Schütze. Aus der Schweiz.',
        'Wirt. Und die Bauern?',
        'Erster Schütze. Die schlafen.',
        'Schützen. Wir wachen!',
        'Wirt. Still da hinten.',
      ),
    );
    expect(whoSays(play, 'Aus der Schweiz.')).toEqual(['Zweiter Schütze']);
    expect(whoSays(play, 'Und Ihr, Nachbar?')).toEqual(['Erster Schütze']);
    expect(whoSays(play, 'Wir wachen!')).toEqual(['Erster Schütze', 'Zweiter Schütze']);
  });

  it('reads joint labels in ordinary case with a lower-case word for how many, and lists of names', () => {
    const play = parse(
      scene(
        'Erster Schütze. Wer kommt da?',
        'Zweiter Schütze. Der Wirt.',
        'Wirt. Ich bin es.',
        'Erster Schütze. Trinkt mit uns.',
        'Zweiter Schütze. Ja, trinkt.',
        'Wirt. Gern.',
        'Erster Schütze. Noch einen.',
        'Zweiter Schütze. Und noch einen.',
        'Wirt. Genug.',
        'Wirt und beide Schützen _stehen auf._. Zum Wohl!',
        'Wirt, Erster Schütze, Zweiter Schütze _zugleich._. Und noch einmal!',
      ),
    );
    expect(new Set(whoSays(play, 'Zum Wohl!'))).toEqual(new Set(['Wirt', 'Erster Schütze', 'Zweiter Schütze']));
    expect(new Set(whoSays(play, 'Und noch einmal!'))).toEqual(new Set(['Wirt', 'Erster Schütze', 'Zweiter Schütze']));
  });

  it("gives a voice to its owner, in the owner's case ending, but not a voice of some unnamed one", () => {
    const play = parse(
      scene(
        'Bauer. Wer ist da?',
        'Wirt. Niemand.',
        'Bauer. Ich höre doch wen.',
        'Wirt. Den Wind.',
        'Des Bauern Stimme _draußen._. Hilfe!',
        'Wirt. Schon wieder.',
        'СОФИЯ. Кто там?',
        'ЛИЗА. Никого.',
        'ГОЛОС СОФИИ. Лиза!',
        'ЛИЗА. Иду.',
      ),
    );
    expect(whoSays(play, 'Hilfe!')).toEqual(['Bauer']);
    expect(whoSays(play, 'Лиза!')).toEqual(['София']);
    const vieja = parse(
      scene('La Vieja:\n¿Quién?', 'Pedro:\nNadie.', 'Voz de vieja:\n¡Ay!', 'La Vieja:\n¿Nadie?', 'Pedro:\nNadie.', 'Voz de vieja:\n¡Ay, ay!', 'Pedro:\nCalla.'),
    );
    expect(whoSays(vieja, '¡Ay!')).toEqual(['Voz de vieja']);
  });
});

describe('stage directions', () => {
  it('reads bracketed, underscored, indented and Enter/Exit directions', () => {
    const play = parse(
      scene(
        '    A room. Morning; the sun comes in\n    through the window at the back.',
        '[Enter Anna.]',
        'ANNA. Is anyone here?',
        '(Boris comes in.)',
        'BORIS. Only me.',
        'ANNA.\nThen stay.\n_She sits._\nAnd talk to me a while, Boris, for the day is long.',
        'BORIS. Gladly.',
        'Exit Anna.',
      ),
    );
    const dirs = directions(play).map((l) => l.text);
    expect(dirs).toEqual([
      'A room. Morning; the sun comes in through the window at the back.',
      'Enter Anna.',
      'Boris comes in.',
      'Exit Anna.',
    ]);
    expect(directions(play)[1]!.characters).toEqual(['Anna']);
    expect(whoSays(play, 'Then stay.')).toEqual(['Anna']);
  });

  it('splits directions out of a speech in order once it is under way', () => {
    const play = parse(
      scene(
        'ANNA. I have waited here for you since the early morning, Boris, and you never came. [She turns away.] Go.',
        'BORIS. I could not come.',
        'ANNA. Could not? (Laughs.) You would not.',
        'BORIS. Believe what you like.',
      ),
    );
    const lines = allLines(play);
    expect(lines.map((l) => l.type)).toEqual(['dialogue', 'stage_direction', 'dialogue', 'dialogue', 'dialogue', 'dialogue']);
    expect(lines[1]!.text).toBe('She turns away.');
    expect(lines[2]).toMatchObject({ characters: ['Anna'], text: 'Go.' });
    // A direction right after a short opening stays where it is printed.
    expect(whoSays(play, 'Could not? (Laughs.) You would not.')).toEqual(['Anna']);
  });

  it('keeps spoken parentheses when the play marks directions with brackets', () => {
    const play = parse(
      scene(
        '[Enter Captain.]',
        'CAPTAIN  The merciless Macdonwald\n(Worthy to be a rebel, for to that\nThe multiplying villainies of nature\nDo swarm upon him) from the Western Isles',
        'DUNCAN  O valiant cousin!',
        'CAPTAIN  I am faint.',
        '[Exit Captain.]',
        '[Enter Ross.]',
        'ROSS  God save the King.',
        'DUNCAN  Whence cam\'st thou?',
        'ROSS  From Fife, great king.',
      ),
    );
    expect(speeches(play)[0]!.text).toContain('(Worthy to be a rebel');
  });
});

describe('speeches run together', () => {
  it('splits two speeches printed in one paragraph', () => {
    const play = parse(
      scene(
        'Helmer. Still, you know, we can\'t spend money recklessly. Nora. Yes, Torvald, we may be a wee bit more reckless now.',
        'Helmer. Yes, after the New Year.',
        'Nora. Pooh! we can borrow until then.',
        'Helmer. Nora! Nora (cries out). Oh, what is that?',
        'Helmer. Nothing.',
        'Nora. Nothing?',
        'Helmer. Nothing at all.',
        'Nora. Then good night.',
      ),
    );
    expect(whoSays(play, 'Yes, Torvald')).toEqual(['Nora']);
    expect(whoSays(play, 'Oh, what is that?')).toEqual(['Nora']);
  });
});

describe('structure', () => {
  it('gives a play without headings one act and one scene', () => {
    const play = parse(scene('ANNA. One.', 'BORIS. Two.', 'ANNA. Three.', 'BORIS. Four.'));
    expect(play.acts).toHaveLength(1);
    expect(play.acts[0]!.scenes).toHaveLength(1);
  });

  it('gives a play with scenes only one act', () => {
    const play = parse(scene('SCENE I', 'ANNA. One.', 'BORIS. Two.', 'SCENE II', 'ANNA. Three.', 'BORIS. Four.'));
    expect(play.acts).toHaveLength(1);
    expect(play.acts[0]!.scenes.map((s) => s.title)).toEqual(['SCENE I', 'SCENE II']);
  });

  it('skips a table of contents and a premiere cast before the play', () => {
    const play = parse(
      scene(
        'THE PERSONS OF THE PLAY\n\nAnna Petrovna\nBoris Ivanovich',
        'THE SCENES OF THE PLAY\n\nACT I. A garden.\n\nACT II. A room.',
        'Anna Petrovna: Miss Ellen Terry.\nBoris Ivanovich: Mr. Henry Irving.',
        'FIRST ACT',
        'Anna. Good morning.',
        'Boris. Good morning, Anna.',
        'SECOND ACT',
        'Anna. Good night.',
        'Boris. Good night, Anna.',
      ),
    );
    expect(play.acts.map((a) => a.title)).toEqual(['FIRST ACT', 'SECOND ACT']);
    expect(speeches(play)).toHaveLength(4);
    expect(play.characters.map((c) => c.name)).toEqual(['Anna Petrovna', 'Boris Ivanovich']);
  });

  it('reads title and author from the first lines and strips a distributor licence', () => {
    const text = [
      'The Project Gutenberg EBook of Two Voices, by Jane Roe',
      '',
      'Title: Two Voices',
      '',
      'Author: Jane Roe',
      '',
      '*** START OF THIS PROJECT GUTENBERG EBOOK TWO VOICES ***',
      '',
      scene('ANNA. One.', 'BORIS. Two.', 'ANNA. Three.', 'BORIS. Four.'),
      '*** END OF THIS PROJECT GUTENBERG EBOOK TWO VOICES ***',
      '',
      'SECTION 1. General Terms of Use',
      '',
      'LICENSEE: You agree to these terms.',
      '',
      'LICENSOR: We agree too.',
    ].join('\n');
    const play = parse(text);
    expect(play).toMatchObject({ title: 'Two Voices', author: 'Jane Roe' });
    expect(speeches(play)).toHaveLength(4);
  });

  it('reads a title page with "by", "par" and "von"', () => {
    for (const by of ['by', 'par', 'von']) {
      const play = parse(`THE DOOR\n${by} Jane Roe\n\n\n` + scene('ANNA. One.', 'BORIS. Two.', 'ANNA. Three.', 'BORIS. Four.'));
      expect(play.title).toBe('The Door');
      expect(play.author).toBe('Jane Roe');
    }
  });
});

describe('act and scene headings', () => {
  it.each([
    ['ACT I', 'act', 1],
    ['Act 2', 'act', 2],
    ['FIRST ACT', 'act', 1],
    ['Act the Third', 'act', 3],
    ['ACTE PREMIER', 'act', 1],
    ['SCÈNE II. Valère, Élise.', 'scene', 2],
    ['SCÈNE DERNIÈRE', 'scene', 999],
    ['Erster Aufzug', 'act', 1],
    ['Zweiter Auftritt', 'scene', 2],
    ['Eilfter Auftritt', 'scene', 11],
    ['1. Akt', 'act', 1],
    ['Acto primero', 'act', 1],
    ['Första Akten.', 'act', 1],
    ['ANDRA SCENEN.', 'scene', 2],
    ['Tredje akten', 'act', 3],
    ['Første Akt', 'act', 1],
    ['Escena III', 'scene', 3],
    ['ATTO SECONDO', 'act', 2],
    ['Scena prima', 'scene', 1],
    ['ДЕЙСТВИЕ ПЕРВОЕ', 'act', 1],
    ['Явление второе', 'scene', 2],
  ] as const)('%s', (line, kind, number) => {
    expect(matchHeadings(line)).toEqual([expect.objectContaining({ kind, number, title: line })]);
  });

  it('reads PROLOGUE and EPILOGUE as parts of their own, and ACT 1, SCENE 2 as both', () => {
    expect(matchHeadings('PROLOGUE')?.[0]?.kind).toBe('act');
    expect(matchHeadings('Epilogue')?.[0]?.kind).toBe('act');
    expect(matchHeadings('ACT 1, SCENE 2')?.map((h) => h.kind)).toEqual(['act', 'scene']);
  });

  it('does not read sentences as headings', () => {
    for (const line of ['Act one way, speak another.', 'Scene of the crime', 'I am here.', 'Acting is hard']) {
      expect(matchHeadings(line)).toBeNull();
    }
  });
});

describe('texts that are not plays', () => {
  const novel = Array.from(
    { length: 40 },
    (_, i) =>
      `Chapter ${i + 1} began as the others had. She walked down to the harbour, where the boats lay idle, and thought about the letter. "Yes," she said at last, "I will go." Nobody answered her; the gulls were the only ones listening.`,
  ).join('\n\n');
  const recipe = 'Pancakes\n\nIngredients:\n2 eggs\n200 g flour\n\nMethod:\nStep 1: Mix the flour and eggs.\nStep 2: Add the milk.\nStep 3: Fry.\n\nServe warm.';

  it.each([
    ['a novel', novel],
    ['a recipe', recipe],
    ['nothing', ''],
    ['random bytes', '\u0000\u00ff\ufffd'.repeat(200)],
  ])('rejects %s with "no play structure found"', (_name, text) => {
    expect(() => parseRules(text)).toThrow(PermanentError);
    expect(() => parseRules(text)).toThrow(/no play structure found/);
  });
});

describe('boundaries for chunking', () => {
  it('lists act, scene and speech starts as offsets into the text', () => {
    const text = scene('ACT I', 'SCENE 1', 'ANNA. One\nand a half.', 'BORIS. Two.', 'SCENE 2', 'ANNA. Three.', 'BORIS. Four.');
    const bounds = findBoundaries(text);
    expect(bounds.map((b) => b.kind)).toEqual(['act', 'scene', 'speech', 'speech', 'scene', 'speech', 'speech']);
    for (const b of bounds) expect(text.slice(b.offset)).toMatch(/^(ACT|SCENE|ANNA|BORIS)/);
    expect(findBoundaries('just some words')).toEqual([]);
  });
});
