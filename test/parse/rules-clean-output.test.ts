import { describe, expect, it } from 'vitest';
import { parseCastLine } from '../../src/parse/rules/cast.js';
import { displayCase } from '../../src/parse/rules/text.js';
import { allLines, directions, parse, scene, speeches, whoSays } from './rules-helpers.js';

// What a reader sees first: cast names and descriptions, and directions and speeches without leftover
// punctuation from the printed layout.

const dialogue = ['ANNA. Where have you been?', 'BORIS. Out.', 'ANNA. Out where?', 'BORIS. Just out.'];

describe('cast lists', () => {
  it('cuts a premiere cast off the role, however short the dotted leader', () => {
    expect(parseCastLine('NORA (a younger daughter)..  Emma Vernon')).toEqual({ name: 'NORA', description: 'a younger daughter' });
    expect(parseCastLine('MAURYA (an old woman)......  Honor Lavelle')).toEqual({ name: 'MAURYA', description: 'an old woman' });
  });

  it('keeps the full stop of an abbreviation that ends a description', () => {
    expect(parseCastLine('John Worthing, J.P.')).toEqual({ name: 'John Worthing', description: 'J.P.' });
    expect(parseCastLine('Torvald Helmer.')).toEqual({ name: 'Torvald Helmer', description: null });
    expect(parseCastLine('Nora, his wife.')).toEqual({ name: 'Nora', description: 'his wife' });
  });

  it('keeps a bracket the description opens itself', () => {
    expect(parseCastLine('VIOLA, a lady of Messaline (later disguised as CESARIO)')?.description).toBe(
      'a lady of Messaline (later disguised as CESARIO)',
    );
  });

  it('reads group lines: `and some servants` and `etc.` name no description', () => {
    const play = parse(
      scene(
        'PERSONEN',
        'Anna, eine Witwe.\nBoris, ihr Diener.\nAngelo, und einige Bediente.\nEin Bauer, Büttel, Mägde usw.\nAttendants, Soldiers, Lords (all nonspeaking)',
        'ERSTER AUFZUG',
        ...dialogue,
      ),
    );
    const byName = new Map(play.characters.map((c) => [c.name, c.description]));
    expect(byName.get('Angelo')).toBeNull();
    expect(byName.has('Einige Bediente')).toBe(true);
    expect(byName.has('Mägde')).toBe(true);
    expect(byName.get('Lords')).toBe('all nonspeaking');
  });

  it('prints names in capitals with small words in lower case', () => {
    expect(displayCase('ONE OF THE WOMEN')).toBe('One of the Women');
    expect(displayCase('LE MARQUIS DE MASCARILLE')).toBe('Le Marquis de Mascarille');
    expect(displayCase("A MAN'S VOICE")).toBe("A Man's Voice");
    expect(displayCase("D'ARTAGNAN")).toBe("D'Artagnan");
  });
});

describe('settings and directions', () => {
  it('reads `SCENE.` and the setting after it as one clean direction', () => {
    const play = parse(scene('SCENE.', '--An Island off the West of Ireland. (Cottage kitchen.)', ...dialogue));
    expect(directions(play).map((d) => d.text)).toEqual(['An Island off the West of Ireland. (Cottage kitchen.)']);
  });

  it('drops the setting label run into the description', () => {
    const play = parse(scene('ACT I', '(SCENE.--A room. It is winter.)', ...dialogue, 'ACT II', '(THE SAME SCENE.--The table is laid.)', ...dialogue));
    expect(directions(play).map((d) => d.text)).toEqual(['A room. It is winter.', 'The same scene. The table is laid.']);
  });

  it('reads a bracket opened in one paragraph and closed in a later one as a direction', () => {
    const play = parse(scene('ACT I', '(A room. It is winter.', 'A bell rings. Enter ANNA.)', ...dialogue));
    expect(allLines(play).slice(0, 2).map((l) => [l.type, l.text])).toEqual([
      ['stage_direction', 'A room. It is winter.'],
      ['stage_direction', 'A bell rings. Enter ANNA.'],
    ]);
  });

  it('takes an exit left unclosed at the end of a speech out of it', () => {
    const play = parse(scene('Anna. Where is he?', 'Boris. Out.', 'Anna. Fetch him. [Exit.', 'Boris. Gone already.', 'Anna. Good.'));
    expect(whoSays(play, 'Fetch him.')).toEqual(['Anna']);
    expect(speeches(play).find((l) => l.text.startsWith('Fetch'))!.text).toBe('Fetch him.');
    expect(directions(play).map((d) => d.text)).toContain('Exit.');
  });

  it('drops italics underscores inside bracketed directions', () => {
    const play = parse(scene('ANNA.  [Languidly_._]  Where have you been?', 'BORIS.  Out.', 'ANNA.  Out where?', 'BORIS.  [Lane goes out_._]  Just out.'));
    expect(directions(play).map((d) => d.text)).toEqual(['Languidly.', 'Lane goes out.']);
  });

  it('starts the speech after a direction without the stop or dash that joined them', () => {
    const play = parse(
      scene(
        'ANNA. Where have you been?',
        'THE OFFICER. (politely). Good evening, lady.',
        'BORIS (soothing her).--but not tonight.',
        'ANNA. Well, you can always do a thing when it must be done--(She hits the table, and adds)--Do you hear that, my dear old friend?',
        'BORIS. Yes.',
      ),
    );
    expect(whoSays(play, 'Good evening, lady.')).toEqual(['The Officer']);
    expect(whoSays(play, 'but not tonight.')).toEqual(['Boris']);
    expect(speeches(play).map((l) => l.text)).toContain('Do you hear that, my dear old friend?');
  });

  it('names in a direction only characters of the list, and no one for a possessive', () => {
    const play = parse(
      scene(
        'DRAMATIS PERSONAE',
        "Torvald Helmer.\nNora, his wife.\nHelmer's three young children.",
        'ACT I',
        "(A room. A door leads to Helmer's study.)",
        'Nora. Where have you been?',
        'Helmer. Out.',
        'Nora. Out where?',
        'Helmer. Just out.',
      ),
    );
    expect(directions(play)[0]!.characters).not.toContain("Helmer's three young children");
  });
});
