import type { Command } from 'commander';
import { action, withSql } from './runtime.js';
import { intOption } from './options.js';
import { UserError } from '../errors.js';
import type { ParsedPlay, PlayLine } from '../parse/play.js';
import type { SpeechCounts } from '../store/load-play.js';

interface ShowOptions {
  act?: number;
  scene?: number;
  character?: string;
}

export function register(program: Command): void {
  program
    .command('show')
    .description('print a stored play: cast with speech counts, then acts, scenes and lines')
    .argument('<id>', 'the id of the play, or of the job that stored it (a unique prefix is enough)')
    .option('--act <n>', 'only this act (counting from 1)', intOption(1))
    .option('--scene <n>', 'only this scene of the act (counting from 1)', intOption(1))
    .option('-c, --character <name>', "only this character's speeches, each with its cue (name or alias)")
    .addHelpText('after', '\nExamples:\n  playbuddy show 3f2a1b9c\n  playbuddy show 3f2a1b9c --act 3 --scene 1\n  playbuddy show 3f2a1b9c --character Hamlet')
    .action(
      action(async (id: string, opts: ShowOptions) =>
        withSql(async ({ sql }) => {
          const [{ resolvePlay }, { loadPlay, countSpeeches }] = await Promise.all([import('../store/plays.js'), import('../store/load-play.js')]);
          const { playbookId } = await resolvePlay(sql, id);
          // With --act or --scene, only the chosen lines are read; the cast's speech counts still cover the whole play.
          const play = await loadPlay(sql, playbookId, { act: opts.act, scene: opts.scene });
          if (!play) throw new UserError(`The play ${playbookId.slice(0, 8)} was deleted just now.`);
          const counts = opts.act === undefined && opts.scene === undefined ? speechCounts(play) : await countSpeeches(sql, playbookId);
          process.stdout.write(renderPlay(play, opts, counts) + '\n');
        }),
      ),
    );
}

const SPEAKER_INDENT = '    ';
const TEXT_INDENT = '      ';

interface Selected {
  act: number;
  scene: number;
  actTitle: string;
  sceneTitle: string;
  lines: PlayLine[];
}

/** The play as an actor reads it, or, with `character`, that character's speeches and their cues. */
export function renderPlay(play: ParsedPlay, opts: ShowOptions = {}, counts = speechCounts(play)): string {
  const scenes = selectScenes(play, opts);
  if (opts.character) return renderCharacter(play, findCharacter(play, opts.character, counts), scenes);
  const out = [...heading(play), '', ...castList(play, counts), ''];
  let act = -1;
  for (const s of scenes) {
    if (s.act !== act) {
      act = s.act;
      out.push(s.actTitle.toUpperCase(), '');
    }
    out.push(`  ${s.sceneTitle}`, '');
    for (const line of s.lines) out.push(...renderLine(line), '');
  }
  return out.join('\n').trimEnd();
}

function heading(play: ParsedPlay): string[] {
  const out = [play.title];
  const facts = [play.author ? `by ${play.author}` : '', play.year ? String(play.year) : '', play.genre ?? ''].filter(Boolean);
  if (facts.length > 0) out.push(facts.join(' · '));
  if (play.description) out.push('', play.description);
  return out;
}

/** Speeches (dialogue lines) in the play, and per character. */
function speechCounts(play: ParsedPlay): SpeechCounts {
  const byName = new Map(play.characters.map((c) => [c.name, 0]));
  let total = 0;
  for (const act of play.acts) {
    for (const scene of act.scenes) {
      for (const line of scene.lines) {
        if (line.type !== 'dialogue') continue;
        total += 1;
        for (const name of line.characters) byName.set(name, (byName.get(name) ?? 0) + 1);
      }
    }
  }
  return { total, byName };
}

function castList(play: ParsedPlay, counts: SpeechCounts): string[] {
  const { total, byName } = counts;
  const width = Math.min(28, Math.max(...play.characters.map((c) => c.name.length)));
  const out = [`Cast (${plural(play.characters.length, 'character')}, ${plural(total, 'speech', 'speeches')})`];
  for (const c of play.characters) {
    const extra = [c.aliases.length ? `(${c.aliases.join(', ')})` : '', c.description ?? ''].filter(Boolean).join(' ');
    out.push(`  ${c.name.padEnd(width)}  ${String(byName.get(c.name) ?? 0).padStart(4)}${extra ? `  ${extra}` : ''}`.trimEnd());
  }
  return out;
}

function renderLine(line: PlayLine): string[] {
  if (line.type === 'stage_direction') {
    const text = line.text.replace(/\s*\n\s*/g, ' ').trim();
    return [`${SPEAKER_INDENT}${/^[[(]/.test(text) ? text : `[${text}]`}`];
  }
  const indent = TEXT_INDENT + '  '.repeat(line.indentLevel ?? 0);
  // Verse keeps its line breaks; prose the parser marked as such reads as one paragraph.
  const text = line.preserveLineBreaks === false ? line.text.replace(/\s*\n\s*/g, ' ') : line.text;
  return [`${SPEAKER_INDENT}${line.characters.join(' & ')}`, ...text.split('\n').map((t) => (t.trim() ? indent + t.trimEnd() : ''))];
}

function selectScenes(play: ParsedPlay, opts: ShowOptions): Selected[] {
  if (opts.act !== undefined && opts.act > play.acts.length) {
    throw new UserError(`The play has ${plural(play.acts.length, 'act')}; there is no act ${opts.act}.`);
  }
  if (opts.scene !== undefined && opts.act === undefined && play.acts.length > 1) {
    throw new UserError(`--scene needs --act: the play has ${play.acts.length} acts.`, 'For example: --act 1 --scene 2');
  }
  const acts = opts.act !== undefined ? [opts.act - 1] : play.acts.map((_, i) => i);
  const out: Selected[] = [];
  for (const a of acts) {
    const act = play.acts[a]!;
    if (opts.scene !== undefined && opts.scene > act.scenes.length) {
      throw new UserError(`${act.title} has ${plural(act.scenes.length, 'scene')}; there is no scene ${opts.scene}.`);
    }
    act.scenes.forEach((scene, s) => {
      if (opts.scene === undefined || opts.scene === s + 1) out.push({ act: a, scene: s, actTitle: act.title, sceneTitle: scene.title, lines: scene.lines });
    });
  }
  return out;
}

/**
 * The character a name means: an exact name or alias first, then one whose name contains it as whole words
 * ("Gertrude" → "Queen Gertrude"), then one whose name contains it at all — each only when it is unique.
 */
function findCharacter(play: ParsedPlay, wanted: string, { byName }: SpeechCounts): string {
  const key = wanted.trim().toLocaleLowerCase();
  const namesOf = (c: ParsedPlay['characters'][number]) => [c.name, ...c.aliases].map((n) => n.toLocaleLowerCase());
  const words = new RegExp(`(^|[^\\p{L}\\p{N}])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'u');
  const tests: Array<(name: string) => boolean> = [(n) => n === key, (n) => words.test(n), (n) => n.includes(key)];
  for (const test of tests) {
    const matches = play.characters.filter((c) => namesOf(c).some(test));
    if (matches.length === 1) return matches[0]!.name;
    if (matches.length > 1) throw new UserError(`"${wanted}" names several characters: ${matches.map((c) => c.name).join(', ')}.`, 'Use more of the name.');
  }
  const leads = [...play.characters].sort((x, y) => (byName.get(y.name) ?? 0) - (byName.get(x.name) ?? 0)).slice(0, 8);
  throw new UserError(`No character of "${play.title}" is called "${wanted}".`, `Characters include: ${leads.map((c) => c.name).join(', ')}.`);
}

/**
 * A cue script: each of the character's speeches with what comes right before it — the end of the previous
 * speech by someone else, and any stage directions in between.
 */
function renderCharacter(play: ParsedPlay, name: string, scenes: Selected[]): string {
  const out: string[] = [];
  let speeches = 0;
  for (const s of scenes) {
    const own = s.lines.map((l, i) => (l.type === 'dialogue' && l.characters.includes(name) ? i : -1)).filter((i) => i >= 0);
    if (own.length === 0) continue;
    out.push('', `${s.actTitle}, ${s.sceneTitle}`);
    for (const i of own) {
      speeches += 1;
      out.push('');
      let j = i - 1;
      while (j >= 0 && s.lines[j]!.type === 'stage_direction') j -= 1;
      const previous = j >= 0 ? s.lines[j]! : null;
      if (!previous) out.push(`${SPEAKER_INDENT}cue: (the scene opens)`);
      else if (!previous.characters.includes(name)) out.push(`${SPEAKER_INDENT}cue: ${previous.characters.join(' & ')} — “…${cueWords(previous.text)}”`);
      for (const direction of s.lines.slice(j + 1, i)) out.push(...renderLine(direction));
      out.push(...renderLine(s.lines[i]!));
    }
  }
  const where = scenes.length === 1 ? ` in ${scenes[0]!.actTitle}, ${scenes[0]!.sceneTitle}` : '';
  return [`${play.title} — ${name}: ${plural(speeches, 'speech', 'speeches')}${where}`, ...out].join('\n');
}

/** The last words of a speech, as a prompter gives them. */
function cueWords(text: string, max = 60): string {
  const last = text.trim().split('\n').at(-1)!.trim();
  if (last.length <= max) return last;
  const tail = last.slice(-max);
  return tail.slice(tail.indexOf(' ') + 1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}
