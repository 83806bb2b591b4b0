import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { openTerminal, type Terminal } from '../helpers/tmux.js';

// Each script is loaded into the real shell and asked for completions the way the shell asks when Tab is
// pressed; playbuddy sits on PATH through a symlink to bin/, as an installed one would.

let dir: string;
let pathEnv: string;
const has = (shell: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`]);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pb-completion-'));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(ROOT, 'bin', 'playbuddy.js'), join(dir, 'bin', 'playbuddy'));
  pathEnv = `${join(dir, 'bin')}:${process.env.PATH}`;
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', shell]);
    expect(r.code).toBe(0);
    writeFileSync(join(dir, `playbuddy.${shell}`), r.stdout);
  }
  writeFileSync(join(dir, 'hamlet.txt'), 'x');
});

function bash(words: string[]): string[] {
  const script = `source ${dir}/playbuddy.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _playbuddy; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean);
}

function fish(line: string): string[] {
  const out = execFileSync('fish', ['--no-config', '-c', `source ${dir}/playbuddy.fish; complete -C'${line}'`], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: pathEnv } });
  return out.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
}

describe('playbuddy completion', () => {
  it('bash: subcommands, nested subcommands, flags, flag choices and files', () => {
    expect(bash(['playbuddy', 'st'])).toEqual(['status']);
    expect(bash(['playbuddy', 'db', ''])).toEqual(expect.arrayContaining(['migrate', 'status', '--help']));
    expect(bash(['playbuddy', 'db', 'status', '--j'])).toEqual(['--json']);
    expect(bash(['playbuddy', 'enqueue', '--parser', ''])).toEqual(['rules', 'llm', 'hybrid']);
    expect(bash(['playbuddy', 'enqueue', '--priority', '5', 'ham'])).toEqual(['hamlet.txt']);
    expect(bash(['playbuddy', 'completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(bash(['playbuddy', 'work', '--dr'])).toEqual(['--drain']);
  });

  it.runIf(has('fish'))('fish: the same, with descriptions, and `db status` is not taken for `status`', () => {
    expect(fish('playbuddy st')).toEqual(['status']);
    expect(fish('playbuddy db ')).toEqual(['migrate', 'status']);
    const dbStatus = fish('playbuddy db status -');
    expect(dbStatus).toContain('--json');
    expect(dbStatus).not.toContain('--limit');
    expect(fish('playbuddy enqueue --parser ')).toEqual(['hybrid', 'llm', 'rules']);
    expect(fish('playbuddy enqueue ham')).toEqual(['hamlet.txt']);
  });

  describe.runIf(has('zsh'))('zsh, in a terminal', () => {
    let term: Terminal;
    beforeAll(() => {
      const zshrc = join(dir, 'zdot');
      mkdirSync(zshrc);
      writeFileSync(join(zshrc, '.zshrc'), `PS1='zsh> '\nfpath=(${dir}/zfunc $fpath)\nautoload -U compinit && compinit -u -D\n`);
      mkdirSync(join(dir, 'zfunc'));
      writeFileSync(join(dir, 'zfunc', '_playbuddy'), execFileSync('cat', [join(dir, 'playbuddy.zsh')]));
      term = openTerminal('zsh -i', { env: { ZDOTDIR: zshrc, PATH: pathEnv }, cwd: dir });
    });
    afterAll(() => term?.close());

    it('completes a subcommand and the choices of a flag on Tab', async () => {
      await term.waitForScreen(/^zsh>/m);
      term.send(['playbuddy migrate-s'], { literal: true });
      term.send(['Tab']);
      await term.waitForScreen(/zsh> playbuddy migrate-sessions/);
      term.send(['C-u']);
      term.send(['playbuddy enqueue --parser h'], { literal: true });
      term.send(['Tab']);
      await term.waitForScreen(/zsh> playbuddy enqueue --parser hybrid/);
    });
  });

  it('refuses a shell it does not know', async () => {
    const r = await runCli(['completion', 'powershell']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/powershell/);
  });
});
