import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventEntry, openSqliteStore } from '../../src/audit/index.js';
import { orderEvents } from '../conformance/audit-samples.js';
import { redisForCliSuite, ROOT, runCli } from './run-cli.js';

/** `script` (util-linux) runs a command on a pseudo-terminal: the replay then sees a real TTY. */
function scriptAvailable(): string | undefined {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    const why = '`script` (util-linux, Debian package bsdutils) is not installed';
    if (process.env['CI'] === 'true') throw new Error(why);
    return why;
  }
}

const skip = scriptAvailable();
const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-audit-progress-'));
const db = join(dir, 'log.db');
const events = orderEvents(30, Date.UTC(2025, 0, 1), 40);
beforeAll(async () => {
  const store = await openSqliteStore({ path: db });
  await store.append(events.map(eventEntry));
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `dotbus …` on a pseudo-terminal `cols` wide; everything the terminal received. */
function onTerminal(args: readonly string[], cols: number): Promise<string> {
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols ${cols} rows 24; ${[process.execPath, 'bin/dotbus.js', ...args].map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

// eslint-disable-next-line no-control-regex
const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const MOVE_TO_START = '\x1b[1G';

describe.skipIf(skip !== undefined)('dotbus audit replay: the progress bar', () => {
  const replayArgs = (): string[] => ['audit', 'replay', '--db', db, '--redis', redis.url, '--namespace', `progress-${process.pid}`, '--speed', '2x'];

  it('is drawn on a terminal, each frame fitting its width, and cleared before the summary', async () => {
    for (const cols of [80, 44, 24]) {
      const out = await onTerminal(replayArgs(), cols);
      const frames = out.split(MOVE_TO_START).slice(1).map((f) => f.replace(CSI, ''));
      const bars = frames.filter((f) => f.startsWith('replaying '));
      expect(bars.length).toBeGreaterThan(0);
      // One column to spare: a full line would wrap, and the next frame would be drawn below it.
      for (const f of bars) expect({ cols, frame: f, width: [...f].length < cols }).toEqual({ cols, frame: f, width: true });
      expect(bars.at(-1)).toMatch(/100%/);
      if (cols === 80) expect(bars.at(-1)).toMatch(/ of .* recorded$/);
      // The last frame clears the line; the summary follows on it.
      expect(frames.at(-1)!.startsWith('dotbus: replayed') || frames.at(-2)!.startsWith('dotbus: replayed')).toBe(true);
      expect(out).toContain(`dotbus: replayed ${events.length} event(s)`);
    }
  }, 60_000);

  it('is absent when stderr is piped', async () => {
    const r = await runCli(replayArgs(), 30_000);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('replaying');
    expect(r.stderr).not.toContain('\x1b[');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`dotbus: replayed ${events.length} event(s)`);
  });
});
