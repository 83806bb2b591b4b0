import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { parsedPlaySchema } from '../../src/parse/play.js';
import { findBoundaries, parseRules } from '../../src/parse/rules/index.js';

// Whatever the input, the parser either returns a valid play or says "no play structure found".

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function check(text: string): void {
  let result: ReturnType<typeof parseRules> | null = null;
  try {
    result = parseRules(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^no play structure found/);
    // An internal failure is reported the same way to users, but must not happen.
    expect((err as Error).message).not.toMatch(/could not be read/);
  }
  if (result) {
    const parsed = parsedPlaySchema.safeParse(result.play);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
    const names = new Set(result.play.characters.map((c) => c.name));
    expect(names.size).toBe(result.play.characters.length);
    for (const a of result.play.acts) {
      for (const s of a.scenes) for (const l of s.lines) if (l.type === 'dialogue') for (const c of l.characters) expect(names).toContain(c);
    }
    for (const u of result.diagnostics.uncertain) {
      const line = result.play.acts[u.actIndex]?.scenes[u.sceneIndex]?.lines[u.lineIndex];
      expect(line).toBeDefined();
      expect(u.sourceStart).toBeLessThanOrEqual(u.sourceEnd);
    }
  }
  const bounds = findBoundaries(text);
  let last = -1;
  for (const b of bounds) {
    expect(b.offset).toBeGreaterThanOrEqual(Math.max(0, last));
    expect(b.offset).toBeLessThanOrEqual(text.length);
    last = b.offset;
  }
}

const FRAGMENTS = [
  'ACT I', 'ACT 2', 'Scene 1', '=====', 'SCÈNE PREMIÈRE. Anna, Boris.', 'Erster Auftritt', 'ДЕЙСТВИЕ ПЕРВОЕ', 'I', 'II', 'PROLOGUE',
  'ANNA', 'BORIS', 'ANNA. Yes.', 'Boris. No.', 'ANNA  Two spaces.', 'BORIS: colon.', 'ANNA (aside). Hm.', 'BORIS [to Anna] Here.',
  'ANNA, laughing. Ha.', 'ALL  Hail!', 'BOTH. Yes!', 'ANNA AND BORIS  Together.', 'ANNA/BORIS  Slash.', 'FIRST WITCH  When?',
  'DIE BEIDEN MÄGDE. Hier.', 'MURDERERS  Ay.', '[Enter Anna.]', '(Exit Boris.)', '_She sits._', '[Unclosed bracket', '(also (nested) open',
  ')', ']', '_', '    An indented setting that runs on', '\tand on with a tab', 'Dramatis Personae', 'ANNA, a girl', 'BORIS, her brother',
  'Title: Fuzz', 'Author: Nobody', '*** START OF THIS PROJECT GUTENBERG EBOOK FUZZ ***', '*** END OF THIS PROJECT GUTENBERG EBOOK FUZZ ***',
  'Exeunt.', 'CURTAIN', 'Helmer. Still. Nora. Yes. Nora (cries). Oh!', 'A MAN\'S VOICE. Who?', 'MAN. Me.', 'He is the man.', '',
  '', '', '\r', 'Mrs. Linde. How do you do?', 'Ham. To be.', '1. Citizen. Bread!', 'ACT 1, SCENE 2', 'Letzter Auftritt', '·'.repeat(300),
];

describe('fuzz', () => {
  it('survives random bytes', () => {
    const r = rng(1);
    for (let i = 0; i < 40; i++) {
      const n = Math.floor(r() * 4000);
      const bytes = Buffer.alloc(n);
      for (let k = 0; k < n; k++) bytes[k] = Math.floor(r() * 256);
      check(bytes.toString(i % 2 ? 'latin1' : 'utf8'));
    }
  });

  it('survives random mixtures of play-like lines', () => {
    const r = rng(2);
    for (let i = 0; i < 300; i++) {
      const lines: string[] = [];
      const n = 1 + Math.floor(r() * 120);
      for (let k = 0; k < n; k++) lines.push(FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]!);
      check(lines.join(r() < 0.2 ? '\r\n' : '\n'));
    }
  });

  it('survives truncated and spliced plays', () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'plays');
    const texts = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    const r = rng(3);
    for (let i = 0; i < 60; i++) {
      const t = texts[i % texts.length]!;
      const a = Math.floor(r() * t.length);
      const b = a + Math.floor(r() * Math.min(20_000, t.length - a));
      check(i % 3 === 0 ? t.slice(0, b) : i % 3 === 1 ? t.slice(a, b) : t.slice(a, b) + texts[(i + 1) % texts.length]!.slice(0, b - a));
    }
  });
});
