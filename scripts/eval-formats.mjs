#!/usr/bin/env node
// Parser accuracy on PDF and Word files made by other tools: converts every corpus play with third-party
// converters, extracts and parses each result as `playbuddy parse` would, scores it with the corpus's
// score.py and prints each converter's table and the difference per play against the plain text.
//   npm run eval:formats [-- --formats pdf,docx] [--corpus DIR] [--only slug,slug] [--no-install] [--keep]
// Formats: enscript-pdf, pandoc-docx, soffice-pdf, soffice-docx, or `pdf` / `docx` for both of a kind.
// Missing converters are installed with apt-get (enscript, ghostscript, pandoc, libreoffice-writer-nogui)
// unless --no-install. Conversions are cached by input hash in $PLAYBUDDY_FORMATS_CACHE or the temp dir.
// Exit 1 when a conversion scores more than 0.005 attribution or 0.02 verse below its plain text.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_ATTR_DROP = 0.005;
const MAX_VERSE_DROP = 0.02;

const { values: args } = parseArgs({
  options: {
    formats: { type: 'string', default: 'pdf,docx' },
    corpus: { type: 'string' },
    only: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

/**
 * Each converter as a user would run it. enscript prints Latin-1 only (its Courier has no other glyphs),
 * so a text it would print as question marks is left out of its column rather than scored as garbage.
 */
const CONVERTERS = {
  'enscript-pdf': {
    kind: 'pdf',
    label: 'enscript PDF',
    tools: { enscript: 'enscript', ps2pdf: 'ghostscript', iconv: 'libc-bin' },
    fits: (text) => latin1Loss(text) < 0.001,
    why: 'not Latin-1',
    convert: (src, dest, work) => {
      const l1 = join(work, 'play.l1');
      writeFileSync(l1, execFileSync('iconv', ['-f', 'utf-8', '-t', 'latin1//TRANSLIT', src], { maxBuffer: 1 << 28 }));
      execFileSync('enscript', ['-q', '-B', '-f', 'Courier10', '-o', join(work, 'play.ps'), l1]);
      execFileSync('ps2pdf', [join(work, 'play.ps'), dest]);
    },
  },
  'pandoc-docx': {
    kind: 'docx',
    label: 'pandoc DOCX',
    tools: { pandoc: 'pandoc' },
    convert: (src, dest) => execFileSync('pandoc', ['-f', 'markdown_strict+hard_line_breaks', '-t', 'docx', '-o', dest, src]),
  },
  'soffice-pdf': { kind: 'pdf', label: 'LibreOffice PDF', tools: { soffice: 'libreoffice-writer-nogui' }, convert: soffice('pdf') },
  'soffice-docx': { kind: 'docx', label: 'LibreOffice DOCX', tools: { soffice: 'libreoffice-writer-nogui' }, convert: soffice('docx') },
};

function soffice(to) {
  return (src, dest, work) => {
    // A profile of its own: a LibreOffice already running for the user would otherwise take the job.
    const profile = join(cacheDir(), 'soffice-profile');
    const input = join(work, `${basename(dest, `.${to}`)}.txt`);
    copyFileSync(src, input);
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', to, '--outdir', work, input], {
      stdio: 'ignore',
    });
    copyFileSync(join(work, `${basename(input, '.txt')}.${to}`), dest);
  };
}

function latin1Loss(text) {
  let lost = 0;
  for (const ch of text) if (ch.codePointAt(0) > 0xff && !/[\u2010-\u2027\u2032-\u203a\u0152\u0153]/.test(ch)) lost++;
  return lost / Math.max(1, text.length);
}

function cacheDir() {
  const dir = process.env.PLAYBUDDY_FORMATS_CACHE ?? join(tmpdir(), 'playbuddy-formats-cache');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function findCorpus() {
  const candidates = [args.corpus, process.env.PLAYBUDDY_CORPUS, join(ROOT, '..', 'shared', 'corpus'), join(ROOT, '..', '..', 'shared', 'corpus')];
  for (const c of candidates.filter(Boolean).map((c) => resolve(c))) {
    // A plays/ folder itself may be named too.
    const dir = basename(c) === 'plays' ? dirname(c) : c;
    if (existsSync(join(dir, 'plays')) && existsSync(join(dir, 'truth')) && existsSync(join(dir, 'score.py'))) return dir;
  }
  console.error('eval:formats: no corpus with plays/, truth/ and score.py found; pass --corpus DIR');
  process.exit(2);
}

function selectFormats(list) {
  const picked = new Set();
  for (const name of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const matches = Object.keys(CONVERTERS).filter((id) => id === name || CONVERTERS[id].kind === name);
    if (matches.length === 0) {
      console.error(`eval:formats: unknown format "${name}"; use pdf, docx or one of ${Object.keys(CONVERTERS).join(', ')}`);
      process.exit(2);
    }
    matches.forEach((m) => picked.add(m));
  }
  return Object.keys(CONVERTERS).filter((id) => picked.has(id));
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Installs the Debian packages of missing tools; returns the converters whose tools are all there. */
function ensureTools(ids) {
  const missing = new Set();
  for (const id of ids) for (const [cmd, pkg] of Object.entries(CONVERTERS[id].tools)) if (!has(cmd)) missing.add(pkg);
  if (missing.size > 0 && !args['no-install']) {
    const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
    const run = (argv) => spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    console.error(`eval:formats: installing ${[...missing].join(', ')} with apt-get`);
    run([...sudo, 'apt-get', 'update', '-qq']);
    // One package at a time: LibreOffice may not install where the others do.
    for (const pkg of missing) run([...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', pkg]);
  }
  return ids.filter((id) => {
    const absent = Object.keys(CONVERTERS[id].tools).filter((cmd) => !has(cmd));
    if (absent.length) console.error(`eval:formats: skipping ${id}: ${absent.join(', ')} not available`);
    return absent.length === 0;
  });
}

function converted(id, src, slug) {
  const conv = CONVERTERS[id];
  const bytes = readFileSync(src);
  const key = createHash('sha256').update(`${id}\0`).update(bytes).digest('hex').slice(0, 24);
  const dest = join(cacheDir(), `${slug}.${key}.${conv.kind}`);
  if (existsSync(dest)) return dest;
  const work = mkdtempSync(join(tmpdir(), 'playbuddy-convert-'));
  try {
    const partial = join(work, `${slug}.${conv.kind}`);
    conv.convert(src, partial, work);
    copyFileSync(partial, dest);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dest;
}

/** Scores the JSON files of `jsonDir` for the plays `slugs` only, through a corpus folder of links. */
function score(corpus, slugs, jsonDir, scratch) {
  const sub = join(scratch, 'corpus');
  for (const part of ['truth', 'plays']) mkdirSync(join(sub, part), { recursive: true });
  for (const slug of slugs) {
    symlinkSync(join(corpus, 'truth', `${slug}.json`), join(sub, 'truth', `${slug}.json`));
    symlinkSync(join(corpus, 'plays', `${slug}.txt`), join(sub, 'plays', `${slug}.txt`));
  }
  const r = spawnSync('python3', [join(corpus, 'score.py'), sub, '--json-dir', jsonDir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = r.stdout.split('\n');
  const json = lines.find((l) => l.startsWith('{'));
  if (!json) throw new Error(`score.py printed no result: ${r.stderr}`);
  return { table: lines.filter((l) => l !== json && l !== '').join('\n'), result: JSON.parse(json) };
}

const corpus = findCorpus();
for (const f of ['extract/index.js', 'rules/index.js']) {
  if (!existsSync(join(ROOT, 'dist', 'parse', f))) {
    console.error('eval:formats: dist/ is not built; run `npm run build` first');
    process.exit(2);
  }
}
const { extractFile } = await import(join(ROOT, 'dist', 'parse', 'extract', 'index.js'));
const { parseRules } = await import(join(ROOT, 'dist', 'parse', 'rules', 'index.js'));

const only = args.only ? new Set(args.only.split(',')) : null;
const slugs = readdirSync(join(corpus, 'truth'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .filter((s) => existsSync(join(corpus, 'plays', `${s}.txt`)) && (!only || only.has(s)))
  .sort();
const formats = ensureTools(selectFormats(args.formats));
const out = mkdtempSync(join(tmpdir(), 'playbuddy-eval-formats-'));

const columns = ['txt', ...formats];
const results = {};
for (const col of columns) {
  const jsonDir = join(out, col, 'json');
  mkdirSync(jsonDir, { recursive: true });
  const scored = [];
  const t0 = performance.now();
  for (const slug of slugs) {
    const src = join(corpus, 'plays', `${slug}.txt`);
    if (col !== 'txt' && CONVERTERS[col].fits && !CONVERTERS[col].fits(readFileSync(src, 'utf8'))) continue;
    let play = {};
    try {
      const file = col === 'txt' ? src : converted(col, src, slug);
      const { text } = await extractFile(file);
      // With --keep, the extracted text lies beside the parsed play, to compare with the original.
      if (args.keep) writeFileSync(join(jsonDir, `${slug}.txt`), text);
      play = parseRules(text, { filename: basename(file) }).play;
    } catch (err) {
      console.error(`eval:formats: ${col} ${slug}: ${err.message}`);
    }
    writeFileSync(join(jsonDir, `${slug}.json`), JSON.stringify(play));
    scored.push(slug);
  }
  const { table, result } = score(corpus, scored, jsonDir, join(out, col));
  results[col] = result;
  console.log(`\n== ${col === 'txt' ? 'plain text' : CONVERTERS[col].label} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(table);
}

const fmt = (x) => (x === null || x === undefined ? '' : x.toFixed(3));
const delta = (x, base) => (x === null || x === undefined || base === null || base === undefined ? '' : (x - base >= 0 ? '+' : '') + (x - base).toFixed(3));
const misses = [];
for (const [metric, limit] of [
  ['attribution', MAX_ATTR_DROP],
  ['verse', MAX_VERSE_DROP],
]) {
  console.log(`\n== ${metric}: plain text, then each converter and its difference (a drop beyond ${limit} is marked *)`);
  const head = ['play'.padEnd(34), 'TXT'.padStart(6), ...formats.map((id) => CONVERTERS[id].label.padStart(17) + ' '.repeat(8))];
  console.log(head.join(' '));
  for (const slug of slugs) {
    const base = results.txt.plays[slug]?.[metric];
    const cells = formats.map((id) => {
      const got = results[id].plays[slug];
      if (!got) return 'n/a'.padStart(17) + ' '.repeat(8);
      const d = got[metric] === null || base === null ? 0 : got[metric] - base;
      const miss = d < -limit - 1e-9;
      if (miss) misses.push(`${slug} ${id} ${metric} ${delta(got[metric], base)}`);
      return fmt(got[metric]).padStart(17) + ` ${delta(got[metric], base).padStart(6)}${miss ? '*' : ' '}`;
    });
    console.log([slug.slice(0, 34).padEnd(34), fmt(base).padStart(6), ...cells].join(' '));
  }
  const key = metric === 'attribution' ? 'overall_attribution' : 'overall_verse';
  console.log(
    ['overall'.padEnd(34), fmt(results.txt[key]).padStart(6), ...formats.map((id) => fmt(results[id][key]).padStart(17) + ' '.repeat(8))].join(' '),
  );
}
console.log(misses.length ? `\n${misses.length} conversions outside the target:\n  ${misses.join('\n  ')}` : '\nevery conversion within the target');
if (args.keep) console.error(`eval:formats: parsed plays kept in ${out}`);
else rmSync(out, { recursive: true, force: true });
process.exit(misses.length ? 1 : 0);
