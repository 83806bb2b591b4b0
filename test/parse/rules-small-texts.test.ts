import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { parseRules } from '../../src/parse/rules/index.js';
import { allLines, directions, scene, speeches } from './rules-helpers.js';

// Excerpts and single scenes, as people paste them; and the clean text a playbook shows.

describe('a short scene', () => {
  it('reads three speeches by two people, one of whom speaks once, and names it after its file', () => {
    const { play } = parseRules('ANNA. Hello there.\nBORIS. Hi.\nANNA. Bye now.\n', { filename: 'station-scene.txt' });
    expect(play.characters.map((c) => c.name).sort()).toEqual(['Anna', 'Boris']);
    expect(speeches(play).map((s) => [s.characters[0], s.text])).toEqual([
      ['Anna', 'Hello there.'],
      ['Boris', 'Hi.'],
      ['Anna', 'Bye now.'],
    ]);
    expect(play.title).toBe('Station scene');
  });

  it('does not take its first speech for a title', () => {
    const { play } = parseRules(scene('KIT. Line one.', 'JO. Line two.', 'KIT. Line three.', 'JO. Line four.'), { filename: 'lines.txt' });
    expect(play.title).toBe('Lines');
    expect(speeches(play)).toHaveLength(4);
  });

  it('reads a page of dialogue where several people speak once', () => {
    const { play } = parseRules(
      scene('GUARD. Halt!', 'MILLER. It is only me.', 'GUARD. Who is me?', 'BAKER. And me.', 'SMITH. And me, too.', 'GUARD. Pass, all of you.'),
    );
    expect(new Set(speeches(play).flatMap((s) => s.characters))).toEqual(new Set(['Guard', 'Miller', 'Baker', 'Smith']));
  });

  it('still refuses a list whose entries are each named once', () => {
    const glossary = 'Apple. A round fruit.\nBanana. A long fruit.\nCherry. A small red fruit.\nDamson. A plum.\n';
    expect(() => parseRules(glossary)).toThrow(PermanentError);
  });
});

describe('clean text', () => {
  it('keeps a year printed after the title out of the title', () => {
    const { play } = parseRules('THE LANTERN (1788)\nby Jane Roe\n\n\n' + scene('KIT. One.', 'JO. Two.', 'KIT. Three.', 'JO. Four.'));
    expect(play.title).toBe('The Lantern');
    expect(play.year).toBe(1788);
  });

  it('removes emphasis marks from speeches and titles but keeps words joined by underscores', () => {
    const { play } = parseRules(
      '_The Lantern_\n\n\n' +
        scene(
          'KIT. I believe it _is_ a very cold night.',
          'JO. Read the *Evening Star* and you will see.',
          'KIT. It says file_name_here, nothing else.',
          'JO. Then __never__ mind.',
        ),
    );
    expect(play.title).toBe('The Lantern');
    expect(speeches(play).map((s) => s.text)).toEqual([
      'I believe it is a very cold night.',
      'Read the Evening Star and you will see.',
      'It says file_name_here, nothing else.',
      'Then never mind.',
    ]);
  });

  it('shows a short direction left inside a spoken line as (so) in a play that marks directions _so_', () => {
    const { play } = parseRules(
      scene(
        '_Une cuisine._',
        'LUCAS. Voyez vous-même. _Il ouvre le coffre._ Rien dedans, rien du tout, je vous le jure.',
        'MARTINE. Rien ?',
        '_Elle regarde._',
        'LUCAS. Rien.',
        'MARTINE. Alors tant pis.',
      ),
    );
    expect(speeches(play)[0]!.text).toBe('Voyez vous-même. (Il ouvre le coffre.) Rien dedans, rien du tout, je vous le jure.');
    expect(directions(play).map((d) => d.text)).toEqual(['Une cuisine.', 'Elle regarde.']);
  });

  it('keeps a setting line under a scene heading as a stage direction', () => {
    const { play } = parseRules(
      'THE LANTERN\n\n\nSCENE 1\n\nA kitchen in a farmhouse.\n\n' + scene('KIT. One.', 'JO. Two.', 'KIT. Three.', 'JO. Four.'),
    );
    expect(directions(play).map((d) => d.text)).toContain('A kitchen in a farmhouse.');
  });

  it('keeps the setting printed between the cast list and the first scene as the play\'s first direction', () => {
    const { play } = parseRules(
      'THE LANTERN\n\n\nPERSONS\n\nKit, a miller.\nJo, his sister.\n\nA mill by a river.\n\n\nI\n\n' +
        scene('KIT. One.', 'JO. Two.', 'KIT. Three.', 'JO. Four.') +
        '\n\nII\n\n' +
        scene('KIT. Five.', 'JO. Six.'),
    );
    expect(play.acts).toHaveLength(1);
    expect(play.acts[0]!.scenes).toHaveLength(2);
    expect(play.acts[0]!.scenes[0]!.lines[0]).toMatchObject({ type: 'stage_direction', text: 'A mill by a river.' });
  });

  it('puts a setting before the first act heading into that act', () => {
    const { play } = parseRules(
      'THE LANTERN\n\n\nPERSONS\n\nKit, a miller.\nJo, his sister.\n\nA mill by a river.\n\n\nACT I\n\n' +
        scene('KIT. One.', 'JO. Two.', 'KIT. Three.', 'JO. Four.') +
        '\n\nACT II\n\n' +
        scene('KIT. Five.', 'JO. Six.'),
    );
    expect(play.acts.map((a) => a.title)).toEqual(['ACT I', 'ACT II']);
    expect(allLines(play)[0]).toMatchObject({ type: 'stage_direction', text: 'A mill by a river.' });
  });
});
