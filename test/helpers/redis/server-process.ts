/**
 * Throwaway `redis-server` processes for integration tests.
 *
 * Every server is started by the tests themselves on a free loopback port, in
 * its own temporary directory, and is killed when the test process exits. No
 * Redis client library is used here: readiness checks speak RESP over a raw
 * `node:net` socket (see `resp-client.ts`, whose `sendCommands` talks to the
 * servers in tests).
 *
 * Requirements: `redis-server` on `PATH`, see `binaries.ts`.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../wait.js';
import { redisServerBinary } from './binaries.js';
import { isAlive, spawnQuietly, waitForExit, type Spawned } from './child-process.js';
import { installExitHook, track, untrack, type Tracked } from './exit-cleanup.js';
import { getFreePorts, REDIS_HOST } from './free-port.js';
import { pingOnce } from './resp-client.js';
import { writeServerConfig, type StartRedisOptions } from './server-config.js';

/** A `redis-server` process started by {@link startRedis}. */
export interface RedisServer {
  /** Always `'127.0.0.1'`. */
  readonly host: string;
  /** The TCP port; it stays the same across {@link RedisServer.start | restarts}. */
  readonly port: number;
  /** `redis://127.0.0.1:PORT` (no credentials). */
  readonly url: string;
  /** The server's temporary working directory (data, config, log); removed by {@link RedisServer.dispose} or on process exit. */
  readonly dir: string;
  /** Absolute path of the server's log file, inside {@link RedisServer.dir}. */
  readonly logFile: string;
  /** PID of the running process, or `undefined` while stopped. */
  readonly pid: number | undefined;
  /** Whether the process is currently running. */
  readonly running: boolean;
  /**
   * Stop gracefully (SIGTERM, which flushes the AOF), and wait for the process
   * to exit; falls back to SIGKILL after 10 s. The port and directory are kept,
   * so {@link RedisServer.start} can bring the same server back. No-op when stopped.
   */
  stop(): Promise<void>;
  /** Kill the process with SIGKILL (a crash: no shutdown work) and wait for it to exit. No-op when stopped. */
  kill(): Promise<void>;
  /**
   * Start the server again on the same port with the same directory and
   * configuration, and wait until it answers PING. No-op when running.
   */
  start(): Promise<void>;
  /** {@link RedisServer.stop} then {@link RedisServer.start}. */
  restart(): Promise<void>;
  /** Read the server's log file (empty string if it does not exist yet). */
  log(): string;
  /** Stop the server and remove its directory. Final: the server cannot be started again. */
  dispose(): Promise<void>;
  /** Same as {@link RedisServer.dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

class PortInUseError extends Error {}

class ManagedRedisServer implements RedisServer {
  readonly host = REDIS_HOST;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  /** The child that passed the readiness check (a failed start attempt never does). */
  private readyChild: ChildProcess | undefined;
  private disposed = false;
  private starting: Promise<void> | undefined;
  private readonly tracked: Tracked;
  private readonly confFile: string;

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly binary: string,
    private readonly extraArgs: readonly string[],
    private readonly startTimeoutMs: number,
  ) {
    this.logFile = join(dir, 'redis.log');
    this.confFile = join(dir, 'redis.conf');
    this.tracked = { child: undefined, dirs: [dir] };
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child === this.readyChild && isAlive(this.child);
  }

  /** Write redis.conf; called once, before the first start. */
  writeConfig(options: StartRedisOptions): void {
    writeServerConfig({ port: this.port, dir: this.dir, logFile: this.logFile, confFile: this.confFile }, options);
  }

  /** Spawn and wait for PING; rejects with PortInUseError if the port was taken. */
  async spawnAndWait(): Promise<void> {
    // The log is appended to across restarts: only what this run writes counts.
    const logOffset = this.log().length;
    const logSinceSpawn = (): string => this.log().slice(logOffset);
    const spawned = this.spawnChild();
    const { child } = spawned;
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (spawned.error) throw new Error(`could not start ${this.binary}: ${spawned.error.message}`);
      if (this.disposed) {
        child.kill('SIGKILL');
        if (child.pid !== undefined) await waitForExit(child, 5000);
        throw new Error('RedisServer disposed while starting');
      }
      if (!isAlive(child)) throw this.startupFailure(spawned, logSinceSpawn());
      if (await this.answersPing(child, logSinceSpawn())) {
        this.readyChild = child;
        return;
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
        throw new Error(
          `redis-server on port ${this.port} did not answer PING within ${this.startTimeoutMs} ms:\n${logSinceSpawn()}`,
        );
      }
      await sleep(20);
    }
  }

  private spawnChild(): Spawned {
    const spawned = spawnQuietly(this.binary, [this.confFile, ...this.extraArgs], this.dir);
    this.child = spawned.child;
    this.tracked.child = spawned.child;
    return spawned;
  }

  /** The error for a child that exited during startup: a PortInUseError if its port was taken. */
  private startupFailure({ child, output }: Spawned, logSinceSpawn: string): Error {
    const log = logSinceSpawn.trimEnd().split('\n').slice(-30).join('\n');
    const details = `${output.trim()}\n${log}`.trim();
    if (/address already in use/i.test(details)) {
      return new PortInUseError(`port ${this.port} is already in use`);
    }
    return new Error(
      `redis-server on port ${this.port} exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${details}`,
    );
  }

  /**
   * Our own log saying it listens guards against a PONG from another
   * process that took the port; the PING then proves it really answers.
   */
  private async answersPing(child: ChildProcess, logSinceSpawn: string): Promise<boolean> {
    if (!/Ready to accept connections/.test(logSinceSpawn)) return false;
    try {
      const reply = await pingOnce(this.port, 1000);
      // NOAUTH: up but password protected. LOADING: still reading the AOF.
      return (reply === '+PONG' || reply.startsWith('-NOAUTH')) && isAlive(child);
    } catch {
      return false; // not answering yet
    }
  }

  start(): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('this RedisServer was disposed and cannot be started again'));
    if (this.running) return Promise.resolve();
    // Concurrent calls share one start.
    this.starting ??= this.startOnSamePort().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startOnSamePort(): Promise<void> {
    // The same port is required; if something grabbed it meanwhile, wait a little for it to go.
    for (let attempt = 0; ; attempt++) {
      if (this.disposed) throw new Error('RedisServer disposed while starting');
      try {
        await this.spawnAndWait();
        return;
      } catch (err) {
        if (!(err instanceof PortInUseError) || attempt >= 50 || this.disposed) throw err;
        await sleep(100);
      }
    }
  }

  private async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !isAlive(child)) return;
    child.kill(signal);
    if (!(await waitForExit(child, 10_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
  }

  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true; // also makes a start() in progress give up
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    untrack(this.tracked);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** @internal */
  register(): void {
    track(this.tracked);
  }
}

/**
 * Start a throwaway `redis-server` on a free port of 127.0.0.1 and wait until
 * it answers PING.
 *
 * The server runs in a fresh temporary directory (config, log, AOF) with
 * `bind 127.0.0.1`, `daemonize no` and no snapshots (`save ""`). It is killed
 * and its directory removed when the process exits; call
 * {@link RedisServer.dispose} to do so earlier.
 *
 * @throws Error if `redis-server` is not on `PATH`, or if it does not start.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  return launchRedis(options, 1, () => []);
}

/**
 * Start one server, retrying on a fresh port when another process took it.
 * `portArgs` gets the extra ports of this attempt (`portCount - 1` of them, all
 * distinct from the server's port) and returns arguments that use them.
 */
export async function launchRedis(
  options: StartRedisOptions,
  portCount: number,
  portArgs: (extraPorts: number[]) => string[],
): Promise<RedisServer> {
  const binary = redisServerBinary();
  installExitHook();
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  for (let attempt = 0; ; attempt++) {
    const [port, ...extraPorts] = await getFreePorts(portCount);
    const dir = mkdtempSync(join(tmpdir(), 'dotbus-redis-'));
    const args = [...portArgs(extraPorts), ...(options.args ?? [])];
    const server = new ManagedRedisServer(port as number, dir, binary, args, startTimeoutMs);
    server.register();
    try {
      server.writeConfig(options);
      await server.spawnAndWait();
      return server;
    } catch (err) {
      await server.dispose();
      // Lost the race for a port to another process: pick new ones.
      if (err instanceof PortInUseError && attempt < 10) continue;
      throw err;
    }
  }
}
