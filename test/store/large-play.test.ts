import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { LINES_PER_BATCH, storePlay } from '../../src/store/store-play.js';
import { loadPlay } from '../../src/store/load-play.js';
import type { ParsedPlay, PlayLine } from '../../src/parse/play.js';

// A play far past what one statement's parameters or one read could carry: 100,000 lines, with a first
// scene longer than a store batch, so batches and read pages both end in the middle of a scene.

const LINES = 100_000;
const FIRST_SCENE = LINES_PER_BATCH * 2 + 321;

function largePlay(): ParsedPlay {
  const cast = Array.from({ length: 40 }, (_, i) => ({ name: `PERSON ${i + 1}`, aliases: [`P${i + 1}.`], description: i % 4 === 0 ? `number ${i + 1}` : null }));
  let n = 0;
  const line = (): PlayLine => {
    n += 1;
    if (n % 10 === 0) return { type: 'stage_direction', text: `[Enter PERSON ${(n % 40) + 1}.]`, characters: [cast[n % 40]!.name], indentLevel: null, preserveLineBreaks: null };
    const speakers = n % 97 === 0 ? [cast[n % 40]!.name, cast[(n + 3) % 40]!.name] : [cast[(n * 7) % 40]!.name];
    const verse = n % 3 === 0;
    return { type: 'dialogue', text: verse ? `Line ${n}, in verse,\nand its second line \\ with "quotes"\tand a tab` : `Line ${n}, in prose.`, characters: speakers, indentLevel: n % 5, preserveLineBreaks: verse };
  };
  const rest = LINES - FIRST_SCENE;
  const scenesAfter = 59;
  const acts = Array.from({ length: 5 }, (_, a) => ({ title: `ACT ${a + 1}`, scenes: [] as ParsedPlay['acts'][number]['scenes'] }));
  acts[0]!.scenes.push({ title: 'Scene 1', lines: Array.from({ length: FIRST_SCENE }, line) });
  for (let s = 0; s < scenesAfter; s++) {
    const count = Math.floor(rest / scenesAfter) + (s < rest % scenesAfter ? 1 : 0);
    const act = acts[Math.floor((s + 1) / 12)]!;
    act.scenes.push({ title: `Scene ${act.scenes.length + 1}`, lines: Array.from({ length: count }, line) });
  }
  return { title: 'The Longest Play', author: 'A. Tester', year: null, genre: null, description: null, characters: cast, acts };
}

const t = testDatabase('large_play');
let play: ParsedPlay;
let playbookId: string;
beforeAll(async () => {
  play = largePlay();
  const client = await t.sql.connect();
  try {
    await client.query('BEGIN');
    ({ playbookId } = await storePlay(client, play));
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}, 120_000);

describe('a play of 100,000 lines', () => {
  it('is stored whole and read back equal, in order', async () => {
    const { rows } = await t.sql.query<{ lines: number; links: number }>(
      `SELECT (SELECT count(*) FROM "Line")::int AS lines, (SELECT count(*) FROM "LineCharacter")::int AS links`,
    );
    expect(rows[0]!.lines).toBe(LINES);
    expect(await loadPlay(t.sql, playbookId)).toEqual(play);
  }, 120_000);

  it('reads one scene alone, the long first one included', async () => {
    const only = await loadPlay(t.sql, playbookId, { act: 1, scene: 1 });
    expect(only!.acts[0]!.scenes[0]!.lines).toEqual(play.acts[0]!.scenes[0]!.lines);
    expect(only!.acts.flatMap((a) => a.scenes).filter((s) => s.lines.length > 0)).toHaveLength(1);
    expect(only!.acts.map((a) => a.scenes.length)).toEqual(play.acts.map((a) => a.scenes.length));
  });

  it('shows and exports through the CLI', async () => {
    const shown = await runCli(['show', playbookId, '--act', '1', '--scene', '1'], { databaseUrl: t.url });
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const speeches = play.acts.flatMap((a) => a.scenes.flatMap((s) => s.lines)).filter((l) => l.type === 'dialogue').length;
    expect(shown.stdout).toContain(`Cast (40 characters, ${speeches.toLocaleString('en')} speeches)`);
    const prose = (lines: PlayLine[]) => lines.filter((l) => l.type === 'dialogue' && !l.preserveLineBreaks).map((l) => l.text);
    expect(shown.stdout).toContain(prose(play.acts[0]!.scenes[0]!.lines).at(-1));
    expect(shown.stdout).not.toContain(prose(play.acts[0]!.scenes[1]!.lines)[0]);

    const exported = await runCli(['export', playbookId], { databaseUrl: t.url, timeoutMs: 120_000 });
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual(play);
  }, 180_000);
});
