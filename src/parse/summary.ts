import type { ParsedPlay } from './play.js';

// The readable account of a parsed play that `playbuddy parse` prints without `--json`.

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function formatPlaySummary(play: ParsedPlay): string {
  const out: string[] = [];
  out.push(play.title || '(untitled)');
  const byline = [play.author && `by ${play.author}`, play.genre, play.year ? String(play.year) : null].filter(Boolean);
  if (byline.length) out.push(byline.join(' · '));
  out.push('');

  const speeches = new Map<string, number>();
  let dialogue = 0;
  let directions = 0;
  const scenes = play.acts.reduce((n, a) => n + a.scenes.length, 0);
  out.push(`${plural(play.acts.length, 'act')}, ${plural(scenes, 'scene')}`);
  play.acts.forEach((act, ai) => {
    let actSpeeches = 0;
    for (const scene of act.scenes) {
      // A speech cut by a direction printed inside it is still one speech.
      let previous: string | null = null;
      for (const line of scene.lines) {
        if (line.type !== 'dialogue') {
          directions++;
          continue;
        }
        const who = line.characters.join('\u0000');
        if (who === previous) continue;
        previous = who;
        dialogue++;
        actSpeeches++;
        for (const name of line.characters) speeches.set(name, (speeches.get(name) ?? 0) + 1);
      }
    }
    out.push(`  ${act.title || `Act ${ai + 1}`}: ${plural(act.scenes.length, 'scene')}, ${plural(actSpeeches, 'speech', 'speeches')}`);
  });
  out.push(`${plural(dialogue, 'speech', 'speeches')}, ${plural(directions, 'stage direction')}`);
  out.push('');

  out.push(`Cast (${play.characters.length}):`);
  const width = Math.min(32, Math.max(0, ...play.characters.map((c) => c.name.length)));
  const cast = [...play.characters].sort((a, b) => (speeches.get(b.name) ?? 0) - (speeches.get(a.name) ?? 0));
  for (const c of cast) {
    const n = speeches.get(c.name) ?? 0;
    const aliases = c.aliases.length ? ` (as ${c.aliases.join(', ')})` : '';
    const desc = c.description ? ` — ${c.description}` : '';
    out.push(`  ${c.name.padEnd(width)}  ${String(n).padStart(4)} ${n === 1 ? 'speech ' : 'speeches'}${aliases}${desc}`);
  }
  return out.join('\n');
}
