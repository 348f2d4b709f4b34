import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'bin/dotbus.js';

/** Compiles src to dist so that the tests run the CLI a user runs. */
export function buildOnce(): void {
  // `npm test` has just built; build here only when the tests run on their own.
  if (process.env['npm_lifecycle_event'] === 'test' && existsSync(`${ROOT}dist/cli/main.js`)) return;
  // Test files run in parallel workers: one builds while the others wait, so none reads a half-written dist.
  const lock = join(tmpdir(), `dotbus-cli-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}`);
  // …and a file whose workers start later doesn't rebuild the dist another file's CLI runs are reading.
  const stamp = `${lock}.built`;
  const upToDate = (): boolean => existsSync(`${ROOT}dist/cli/main.js`) && (statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0) > newestSource();
  if (upToDate()) return;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (upToDate()) return;
    const started = new Date();
    // tsc emits even when another area has type errors; what matters here is dist/cli.
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
    // The dashboard's page files, as `npm run build` copies them.
    spawnSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: ROOT, stdio: 'ignore' });
    // Stamped with the start: a source saved during the build makes the next call build again.
    writeFileSync(stamp, '');
    utimesSync(stamp, started, started);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('npm run build did not produce dist/cli/main.js');
}

/** The newest modification time of a file under src/, in ms. */
function newestSource(): number {
  let newest = 0;
  for (const entry of readdirSync(`${ROOT}src`, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The outcome of one CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dotbus …` to completion with colours off; `env` is added to the test's environment. */
export function runCli(args: readonly string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dotbus ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `dotbus …` and returns the child (stdout/stderr piped). */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The path of a fixture of `test/fixtures/cli/`, relative to the directory the CLI runs in. */
export function cliFixture(name: string): string {
  return `test/fixtures/cli/${name}`;
}

/** A loopback port nothing listens on (taken, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Asserts the shape of a failure report: exactly one line, no stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  if (lines.length !== 1 || /^\s+at /m.test(stderr)) throw new Error(`expected one stderr line, got:\n${stderr}`);
  return lines[0]!;
}

/** A running `dotbus …` whose output is collected as it comes. */
export interface WatchedCli {
  readonly child: ChildProcess;
  /** Everything on stdout so far. */
  stdout(): string;
  /** Everything on stderr so far. */
  stderr(): string;
  /** The exit code, once it exited. */
  readonly exited: Promise<number | null>;
}

/** Starts `dotbus …` (e.g. `tail`) and collects its output. */
export function watchCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): WatchedCli {
  const child = startCli(args, env);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The redis-server of one CLI test file: started (after the build) before its tests, stopped after. */
export interface SuiteRedis {
  readonly url: string;
  readonly port: number;
}

/** Registers the build and a throwaway redis-server for the calling test file. */
export function redisForCliSuite(): SuiteRedis {
  let server: RedisServer | undefined;
  const running = (): RedisServer => {
    if (server === undefined) throw new Error('redis-server not started: use it inside a test');
    return server;
  };
  beforeAll(async () => {
    buildOnce();
    server = await startRedis();
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
  });
  return {
    get url() {
      return running().url;
    },
    get port() {
      return running().port;
    },
  };
}
