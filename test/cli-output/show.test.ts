import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { renderPlay } from '../../src/cli/show.js';
import { formatPlays } from '../../src/cli/plays.js';
import { runPipeline } from '../../src/parse/pipeline/run.js';
import { storePlay } from '../../src/store/store-play.js';
import { loadPlay } from '../../src/store/load-play.js';
import { listPlays } from '../../src/store/plays.js';
import type { ParsedPlay } from '../../src/parse/play.js';
import { scriptedParser, TOY_PLAY } from '../pipeline/scripted-parser.js';

const t = testDatabase('cli_output');
let parsed: ParsedPlay;
let stored: ParsedPlay;
let playbookId: string;
beforeAll(async () => {
  parsed = (await runPipeline({ text: TOY_PLAY, filename: 'toy.txt', config: { parser: 'llm', chunkSize: 80 }, parser: scriptedParser() })).play;
  ({ playbookId } = await storePlay(t.sql, parsed));
  stored = (await loadPlay(t.sql, playbookId))!;
});

describe('show', () => {
  it('prints the title, the cast with speech counts, and every scene with speakers, directions set apart and verse kept', () => {
    expect(renderPlay(stored)).toBe(
      [
        'The Toy Play',
        'by A. Tester',
        '',
        'Cast (3 characters, 10 speeches)',
        '  ALICE     6  (ALI.)',
        '  BOB       4  (BOB.)',
        '  CAROL     1  (CAR.)',
        '',
        'ONE',
        '',
        '  A room',
        '',
        '    [Enter ALICE and BOB]',
        '',
        '    ALICE',
        '        Good morning, Bob.',
        '        How the sun shines.',
        '        Does it not?',
        '',
        '    BOB',
        '      It does.',
        '',
        '    BOB',
        '      And brightly too.',
        '',
        '    ALICE & BOB',
        '      We agree!',
        '',
        '  The garden',
        '',
        '    CAROL',
        '      Who goes there?',
        '',
        '    ALICE',
        '      A friend.',
        '',
        '    ALICE',
        '      Two friends, in fact.',
        '',
        '    [Exit CAROL]',
        '',
        'TWO',
        '',
        '  The hall',
        '',
        '    BOB',
        '      Where has Carol gone?',
        '',
        '    ALICE',
        '      Out.',
        '',
        '    ALICE',
        '        Quite out.',
        '        Gone entirely.',
        '',
        '    [Exeunt]',
      ].join('\n'),
    );
  });

  it('narrows to an act and a scene, and refuses ones the play does not have', () => {
    const garden = renderPlay(stored, { act: 1, scene: 2 });
    expect(garden).toContain('  The garden');
    expect(garden).not.toContain('A room');
    expect(garden).not.toContain('TWO');
    expect(() => renderPlay(stored, { act: 3 })).toThrow('The play has 2 acts; there is no act 3.');
    expect(() => renderPlay(stored, { scene: 1 })).toThrow('--scene needs --act: the play has 2 acts.');
    expect(() => renderPlay(stored, { act: 2, scene: 2 })).toThrow('Two has 1 scene; there is no scene 2.');
  });

  it("prints a character's speeches with their cues, found by name or alias", () => {
    expect(renderPlay(stored, { character: 'car.' })).toBe(
      ['The Toy Play — CAROL: 1 speech', '', 'One, The garden', '', '    cue: (the scene opens)', '    CAROL', '      Who goes there?'].join('\n'),
    );
    expect(renderPlay(stored, { character: 'bob', act: 1, scene: 1 })).toBe(
      [
        'The Toy Play — BOB: 3 speeches in One, A room',
        '',
        'One, A room',
        '',
        '    cue: ALICE — “…Does it not?”',
        '    BOB',
        '      It does.',
        '',
        '    BOB',
        '      And brightly too.',
        '',
        '    ALICE & BOB',
        '      We agree!',
      ].join('\n'),
    );
    expect(() => renderPlay(stored, { character: 'Dave' })).toThrow('No character of "The Toy Play" is called "Dave".');
  });
});

describe('export', () => {
  it('gives exactly the JSON a direct parse gives', () => {
    expect(JSON.stringify(stored, null, 2)).toBe(JSON.stringify(parsed, null, 2));
  });
});

describe('plays', () => {
  it('lists title, author, characters, lines, source job and date', async () => {
    const rows = await listPlays(t.sql);
    expect(rows).toEqual([expect.objectContaining({ id: playbookId, title: 'The Toy Play', author: 'A. Tester', characters: 3, lines: 13, jobId: null })]);
    const text = await formatPlays(rows, new Date(rows[0]!.createdAt.getTime() + 90_000));
    expect(text.split('\n')[0]).toBe('1 stored play');
    expect(text).toContain(playbookId.slice(0, 8));
    expect(text).toMatch(/The Toy Play\s*│\s*A\. Tester\s*│\s*3\s*│\s*13\s*│\s*-/);
    expect(text).toContain('ago)');
    expect(await formatPlays([])).toMatch(/^no stored plays/);
  });
});
