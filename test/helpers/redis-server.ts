/**
 * Throwaway `redis-server` processes for integration tests.
 *
 * Every server is started by the tests themselves on a free loopback port, in
 * its own temporary directory, and is killed when the test process exits. No
 * Redis client library is used here: readiness checks and the small
 * {@link sendCommands} helper speak RESP over a raw `node:net` socket.
 *
 * Requirements: `redis-server` on `PATH` (and `redis-cli` for
 * {@link startRedisCluster}). `.ci/run` installs the Debian package
 * `redis-server`, which provides both. `REDIS_SERVER_BIN` / `REDIS_CLI_BIN`
 * may point at other binaries.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The loopback address every helper server binds to. */
export const REDIS_HOST = '127.0.0.1';

/** An ACL user created in a server started by {@link startRedis}. */
export interface RedisAclUser {
  /** User name; must not contain whitespace. */
  name: string;
  /** Plain-text password (stored in the ACL file as a SHA-256 hash, so any characters are allowed). */
  password: string;
  /**
   * ACL rules for the user, space separated.
   * @defaultValue `'~* &* +@all'` (every key, every channel, every command)
   */
  rules?: string;
}

/** Options for {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * Extra command-line arguments appended after the generated configuration,
   * e.g. `['--maxmemory', '10mb']`. Later settings override earlier ones.
   */
  args?: string[];
  /** ACL users to create (written to an `aclfile` in the server's directory). */
  aclUsers?: RedisAclUser[];
  /**
   * Enable persistence with `appendonly yes` and `appendfsync always`, so that
   * every acknowledged write survives {@link RedisServer.restart} and even
   * {@link RedisServer.kill}. Without it the server keeps nothing on disk
   * (`save ""`, `appendonly no`).
   * @defaultValue false
   */
  appendonly?: boolean;
  /**
   * Output buffer limit for pub/sub clients as `'<hard> <soft> <soft-seconds>'`,
   * e.g. `'64kb 32kb 1'`, which becomes `client-output-buffer-limit pubsub 64kb 32kb 1`.
   */
  pubsubBufferLimit?: string;
  /** Password of the `default` user (`requirepass`). */
  requirepass?: string;
  /**
   * How long to wait for the server to answer PING, in milliseconds.
   * @defaultValue 20000
   */
  startTimeoutMs?: number;
}

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

/** A Redis Cluster started by {@link startRedisCluster}. */
export interface RedisCluster {
  /** The master nodes, each a {@link RedisServer}. */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node, the shape cluster clients take as startup nodes. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Stop every node and remove their directories. */
  dispose(): Promise<void>;
  /** Same as {@link RedisCluster.dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** An error reply (`-ERR ...`) from {@link sendCommands}; returned, not thrown. */
export class RespError {
  /** @param message - the error line without the leading `-` */
  constructor(readonly message: string) {}
  /** The first word of the message, e.g. `'WRONGPASS'`, `'NOAUTH'`. */
  get code(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
  toString(): string {
    return `-${this.message}`;
  }
}

/** A decoded RESP2 reply: simple and bulk strings as `string`, integers as `number`, nil as `null`. */
export type RespReply = string | number | null | RespError | RespReply[];

// ---------------------------------------------------------------------------
// Registry: every process started here is killed when the test process exits.

interface Tracked {
  child: ChildProcess | undefined;
  dirs: string[];
}
const registry = new Set<Tracked>();
let exitHookInstalled = false;

function cleanupAllSync(): void {
  for (const entry of registry) {
    if (entry.child && entry.child.exitCode === null && entry.child.signalCode === null) {
      try {
        entry.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of entry.dirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  }
  registry.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupAllSync();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

// ---------------------------------------------------------------------------
// Small utilities

function findExecutable(name: string, envVar: string): string | undefined {
  const override = process.env[envVar];
  if (override) return override;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function redisServerBinary(): string {
  const bin = findExecutable('redis-server', 'REDIS_SERVER_BIN');
  if (!bin) {
    throw new Error('redis-server not found: install the Debian package redis-server (bash .ci/run does this)');
  }
  return bin;
}

function redisCliBinary(): string {
  const bin = findExecutable('redis-cli', 'REDIS_CLI_BIN');
  if (!bin) {
    throw new Error('redis-cli not found: install the Debian package redis-server (bash .ci/run does this)');
  }
  return bin;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Find a free TCP port on 127.0.0.1 by binding port 0 and closing again.
 * Another process may take the port before it is used: callers retry on EADDRINUSE.
 */
export async function getFreePort(): Promise<number> {
  const [port] = await getFreePorts(1);
  return port as number;
}

/**
 * Find `count` distinct free TCP ports on 127.0.0.1 (all bound at once, then
 * released). The same race as {@link getFreePort} applies.
 */
export async function getFreePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.unref();
            server.once('error', reject);
            server.listen({ host: REDIS_HOST, port: 0, exclusive: true }, () => {
              const address = server.address();
              if (address === null || typeof address === 'string') reject(new Error('could not determine a free port'));
              else resolve(address.port);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))),
    );
  }
}

/** Quote a value for a redis.conf line (double quotes, backslash escapes). */
function confQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const buf = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parse one RESP2 reply at `offset`; returns undefined if the buffer is incomplete. */
function parseReply(buf: Buffer, offset: number): { value: RespReply; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + len + 2) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + len), next: afterLine + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Options for {@link sendCommands}. */
export interface SendCommandsOptions {
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** Give up after this many milliseconds. @defaultValue 5000 */
  timeoutMs?: number;
}

/**
 * Send commands over one fresh raw TCP connection (pipelined, RESP2) and
 * return one decoded reply per command; error replies come back as
 * {@link RespError} values instead of being thrown. No client library involved.
 *
 * @example
 * ```ts
 * const [auth, pong] = await sendCommands(server.port, [['AUTH', 'alice', 'pw'], ['PING']]);
 * ```
 */
export function sendCommands(
  port: number,
  commands: readonly (readonly (string | number | Buffer)[])[],
  options: SendCommandsOptions = {},
): Promise<RespReply[]> {
  const host = options.host ?? REDIS_HOST;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    const replies: RespReply[] = [];
    let buffer = Buffer.alloc(0);
    let offset = 0;
    let settled = false;
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(replies);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error(`connection to ${host}:${port} closed after ${replies.length} replies`)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer.subarray(offset), chunk]);
      offset = 0;
      try {
        while (replies.length < commands.length) {
          const parsed = parseReply(buffer, offset);
          if (!parsed) break;
          replies.push(parsed.value);
          offset = parsed.next;
        }
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (replies.length === commands.length) finish(undefined);
    });
    socket.write(Buffer.concat(commands.map(encodeCommand)));
  });
}

/**
 * One inline `PING\r\n` over a raw socket. Resolves with the first reply line
 * (`'+PONG'`, `'-NOAUTH ...'`, `'-LOADING ...'`), rejects if nothing listens.
 */
function pingOnce(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: REDIS_HOST, port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('PING timed out'));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('connection closed before a reply'));
    });
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n');
      if (end !== -1) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.write('PING\r\n');
  });
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

class PortInUseError extends Error {}

// ---------------------------------------------------------------------------
// Single server

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
    const lines = [
      `port ${this.port}`,
      `bind ${REDIS_HOST}`,
      'protected-mode yes',
      'daemonize no',
      `dir ${confQuote(this.dir)}`,
      `logfile ${confQuote(this.logFile)}`,
      'loglevel notice',
      `pidfile ${confQuote(join(this.dir, 'redis.pid'))}`,
      'save ""',
    ];
    if (options.appendonly) {
      lines.push('appendonly yes', 'appendfsync always');
    } else {
      lines.push('appendonly no');
    }
    if (options.pubsubBufferLimit !== undefined) {
      const parts = options.pubsubBufferLimit.trim().split(/\s+/);
      if (parts.length !== 3) {
        throw new Error(`pubsubBufferLimit must be '<hard> <soft> <seconds>', got ${JSON.stringify(options.pubsubBufferLimit)}`);
      }
      lines.push(`client-output-buffer-limit pubsub ${parts.join(' ')}`);
    }
    if (options.aclUsers && options.aclUsers.length > 0) {
      // With an aclfile, users (including `default`) come from the file; requirepass goes there too.
      const aclFile = join(this.dir, 'users.acl');
      const sha = (password: string): string => createHash('sha256').update(password).digest('hex');
      const aclLines = [
        options.requirepass === undefined
          ? 'user default on nopass ~* &* +@all'
          : `user default on #${sha(options.requirepass)} ~* &* +@all`,
      ];
      for (const user of options.aclUsers) {
        if (!/^[^\s]+$/.test(user.name) || user.name === 'default') {
          throw new Error(`invalid ACL user name ${JSON.stringify(user.name)}`);
        }
        aclLines.push(`user ${user.name} on #${sha(user.password)} ${user.rules ?? '~* &* +@all'}`);
      }
      writeFileSync(aclFile, `${aclLines.join('\n')}\n`);
      lines.push(`aclfile ${confQuote(aclFile)}`);
    } else if (options.requirepass !== undefined) {
      lines.push(`requirepass ${confQuote(options.requirepass)}`);
    }
    writeFileSync(this.confFile, `${lines.join('\n')}\n`);
  }

  /** Spawn and wait for PING; rejects with PortInUseError if the port was taken. */
  async spawnAndWait(): Promise<void> {
    // The log is appended to across restarts: only what this run writes counts.
    const logOffset = this.log().length;
    const logSinceSpawn = (): string => this.log().slice(logOffset);
    const child = spawn(this.binary, [this.confFile, ...this.extraArgs], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.tracked.child = child;
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < 16_384) output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    // Don't keep the test process alive just because a server is running.
    child.unref();
    (child.stdout as Socket | null)?.unref?.();
    (child.stderr as Socket | null)?.unref?.();

    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (spawnError) throw new Error(`could not start ${this.binary}: ${spawnError.message}`);
      if (this.disposed) {
        child.kill('SIGKILL');
        if (child.pid !== undefined) await waitForExit(child, 5000);
        throw new Error('RedisServer disposed while starting');
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        const log = logSinceSpawn().trimEnd().split('\n').slice(-30).join('\n');
        const details = `${output.trim()}\n${log}`.trim();
        if (/address already in use/i.test(details)) {
          throw new PortInUseError(`port ${this.port} is already in use`);
        }
        throw new Error(
          `redis-server on port ${this.port} exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${details}`,
        );
      }
      // Our own log saying it listens guards against a PONG from another
      // process that took the port; the PING then proves it really answers.
      if (/Ready to accept connections/.test(logSinceSpawn())) {
        try {
          const reply = await pingOnce(this.port, 1000);
          // NOAUTH: up but password protected. LOADING: still reading the AOF.
          if ((reply === '+PONG' || reply.startsWith('-NOAUTH')) && isAlive(child)) {
            this.readyChild = child;
            return;
          }
        } catch {
          // not answering yet
        }
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
    registry.delete(this.tracked);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** @internal */
  register(): void {
    registry.add(this.tracked);
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
  return launch(options, 1, () => []);
}

/**
 * Start one server, retrying on a fresh port when another process took it.
 * `portArgs` gets the extra ports of this attempt (`portCount - 1` of them, all
 * distinct from the server's port) and returns arguments that use them.
 */
async function launch(
  options: StartRedisOptions,
  portCount: number,
  portArgs: (extraPorts: number[]) => string[],
): Promise<ManagedRedisServer> {
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

/** Options for {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /**
   * How long to wait for `cluster_state:ok` on every node, in milliseconds.
   * @defaultValue 30000
   */
  readyTimeoutMs?: number;
  /** Extra command-line arguments for every node. */
  args?: string[];
}

/**
 * Start a Redis Cluster of `nodes` masters (no replicas) on free loopback
 * ports: each node runs with `cluster-enabled yes` and its cluster bus on a
 * second free port (`cluster-port`), `redis-cli --cluster create` assigns the
 * slots, and the promise resolves once every node reports `cluster_state:ok`
 * and knows all the others.
 *
 * @param nodes - number of master nodes, at least 3 (Redis' minimum for `--cluster create`)
 * @throws Error if `redis-server` or `redis-cli` is missing, or the cluster does not form.
 */
export async function startRedisCluster(nodes = 3, options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  if (!Number.isInteger(nodes) || nodes < 3) {
    throw new Error(`a Redis Cluster needs at least 3 masters, got ${nodes}`);
  }
  redisServerBinary();
  const cli = redisCliBinary();
  const servers: RedisServer[] = [];
  const disposeAll = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  try {
    for (let i = 0; i < nodes; i++) {
      servers.push(
        await launch({ args: options.args ?? [] }, 2, ([busPort]) => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
          '--cluster-port',
          String(busPort),
        ]),
      );
    }
    const create = spawnSync(
      cli,
      ['--cluster', 'create', ...servers.map((s) => `${s.host}:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.error || create.status !== 0) {
      throw new Error(
        `redis-cli --cluster create failed (status ${create.status}): ${create.error?.message ?? ''}\n${create.stdout}\n${create.stderr}`,
      );
    }
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    for (;;) {
      const infos = await Promise.all(
        servers.map(async (s) => {
          try {
            const [info] = await sendCommands(s.port, [['CLUSTER', 'INFO']]);
            return typeof info === 'string' ? info : '';
          } catch {
            return '';
          }
        }),
      );
      const ready = infos.every(
        (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes}\r\n`),
      );
      if (ready) break;
      if (Date.now() > deadline) {
        throw new Error(`Redis Cluster did not reach cluster_state:ok:\n${infos.join('\n---\n')}`);
      }
      await sleep(100);
    }
  } catch (err) {
    await disposeAll();
    throw err;
  }
  return {
    nodes: servers,
    startupNodes: servers.map((s) => ({ host: s.host, port: s.port })),
    dispose: disposeAll,
    [Symbol.asyncDispose]: disposeAll,
  };
}
