import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { ROOT, runCli } from '../helpers/cli.js';

// What enqueue does with input that is not a well-behaved file: endless standard input, paths naming pipes,
// sockets and devices, folders with unreadable parts or symbolic links, and glob patterns.

const t = testDatabase('cli_enqueue_input');
let dir: string;
let socketServer: Server | undefined;
const play = (line: string) => `THE TEST PLAY\n\nACT I\n\nSCENE 1\n\nALICE. ${line}\n\nBOB. Hello, Alice.\n`;
const MB = 1024 * 1024;
const TEXT_LIMIT = 20 * MB;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pb-enqueue-input-'));
  // Readable by the unprivileged user some cases run as.
  chmodSync(dir, 0o755);
});
afterAll(async () => {
  socketServer?.close();
});

const cli = (args: string[], extra: Parameters<typeof runCli>[1] = {}) => runCli(args, { databaseUrl: t.url, timeoutMs: 20_000, ...extra });

function file(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  chmodSync(full, 0o644);
  return full;
}

async function queuedNames(): Promise<string[]> {
  return (await t.db.parseJob.findMany({ select: { filename: true } })).map((j) => j.filename.replace(dir, ''));
}

describe('enqueue reads no more than it may keep', () => {
  it('stops reading endless standard input just past the limit, refuses it, and queues nothing', async () => {
    const before = await t.db.parseJob.count();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'playbuddy.js'), 'enqueue', '-', '--name', 'endless.txt'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // `yes`: the same line for ever, written as fast as the reader takes it, until the reader hangs up.
    const line = Buffer.from('ALICE. Yes, yes, yes, and again yes.\n'.repeat(2000));
    let written = 0;
    let writerStopped = false;
    child.stdin.on('error', () => (writerStopped = true));
    const pump = () => {
      while (!writerStopped && written < 10 * TEXT_LIMIT) {
        written += line.length;
        if (!child.stdin.write(line)) return void child.stdin.once('drain', pump);
      }
      child.stdin.end();
    };
    pump();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    writerStopped = true;

    expect(code).toBe(1);
    expect(stderr).toMatch(/endless\.txt is more than 20 MB, above the limit of 20 MB for text files/);
    // The reader hung up soon after the limit: not everything the writer had was read.
    expect(written).toBeLessThan(TEXT_LIMIT + 4 * MB);
    expect(await t.db.parseJob.count()).toBe(before);
  });

  it('refuses a named pipe, a socket and a device without opening them, and queues the good file beside them', async () => {
    const fifo = join(dir, 'pipe.txt');
    spawnSyncChecked('mkfifo', [fifo]);
    const socket = join(dir, 'socket.txt');
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer!.listen(socket, resolve));
    const good = file('beside-devices.txt', play('Pipes and sockets.'));

    const r = await cli(['enqueue', fifo, socket, '/dev/zero', good]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/pipe\.txt is a named pipe \(FIFO\), not a file/);
    expect(r.stderr).toMatch(/socket\.txt is a socket, not a file/);
    expect(r.stderr).toMatch(/\/dev\/zero is a device, not a file/);
    expect(r.stderr).toMatch(/hint: .*standard input/);
    expect(r.stdout).toMatch(/enqueued .*beside-devices\.txt/);
    expect(await queuedNames()).toContain('/beside-devices.txt');
  });
});

describe('enqueue of folders and patterns', () => {
  it('reports an unreadable subdirectory like a bad file and queues the rest of the folder', async () => {
    file('library/readable.txt', play('I can be read.'));
    file('library/locked/hidden.txt', play('Nobody sees me.'));
    chmodSync(join(dir, 'library'), 0o755);
    chmodSync(join(dir, 'library/locked'), 0o000);
    // Permissions do not stop root: run as an ordinary user when the tests run as root.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

    const r = await cli(['enqueue', join(dir, 'library'), '--json'], { user });
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { enqueued: Array<{ filename: string }>; rejected: Array<{ filename: string; reason: string }> };
    expect(out.enqueued.map((e) => e.filename.replace(dir, ''))).toEqual(['/library/readable.txt']);
    expect(out.rejected).toEqual([
      expect.objectContaining({ filename: join(dir, 'library/locked'), reason: `${join(dir, 'library/locked')} cannot be read: permission denied.` }),
    ]);
  });

  it('follows symbolic links to play files inside a folder, once each, through a link loop', async () => {
    file('outside/linked-play.txt', play('I live elsewhere.'));
    file('shelf/own.txt', play('I live here.'));
    symlinkSync(join(dir, 'outside/linked-play.txt'), join(dir, 'shelf/link.txt'));
    symlinkSync('.', join(dir, 'shelf/loop'));
    const r = await cli(['enqueue', join(dir, 'shelf'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { enqueued: Array<{ filename: string }>; duplicates: unknown[] };
    expect(out.enqueued.map((e) => e.filename.replace(dir, '')).sort()).toEqual(['/shelf/link.txt', '/shelf/own.txt']);
    expect(out.duplicates).toEqual([]);
  });

  it('understands braces and escaped special characters in patterns', async () => {
    file('globs/one.txt', play('One.'));
    file('globs/two.txt', play('Two.'));
    file('globs/three.txt', play('Three.'));
    file('globs/[draft] four.txt', play('Four.'));
    const r = await cli(['enqueue', join(dir, 'globs/{one,three}.txt'), join(dir, 'globs/\\[draft\\]*.txt'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { enqueued: Array<{ filename: string }> };
    expect(out.enqueued.map((e) => e.filename.replace(dir, '')).sort()).toEqual(['/globs/[draft] four.txt', '/globs/one.txt', '/globs/three.txt']);
  });
});

function spawnSyncChecked(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
}
