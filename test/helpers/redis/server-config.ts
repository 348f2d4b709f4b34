/**
 * The options of a throwaway `redis-server` and the `redis.conf` (plus ACL
 * file) they become.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REDIS_HOST } from './free-port.js';

/** An ACL user created in a server started by `startRedis`. */
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

/** Options for `startRedis`. */
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
   * every acknowledged write survives `RedisServer.restart` and even
   * `RedisServer.kill`. Without it the server keeps nothing on disk
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

/** Where one server listens and keeps its files. */
export interface ServerFiles {
  readonly port: number;
  /** The server's working directory (data, config, log). */
  readonly dir: string;
  readonly logFile: string;
  /** Where the generated `redis.conf` goes. */
  readonly confFile: string;
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

function baseLines(files: ServerFiles): string[] {
  return [
    `port ${files.port}`,
    `bind ${REDIS_HOST}`,
    'protected-mode yes',
    'daemonize no',
    `dir ${confQuote(files.dir)}`,
    `logfile ${confQuote(files.logFile)}`,
    'loglevel notice',
    `pidfile ${confQuote(join(files.dir, 'redis.pid'))}`,
    'save ""',
  ];
}

function pubsubLimitLines(options: StartRedisOptions): string[] {
  if (options.pubsubBufferLimit === undefined) return [];
  const parts = options.pubsubBufferLimit.trim().split(/\s+/);
  if (parts.length !== 3) {
    throw new Error(`pubsubBufferLimit must be '<hard> <soft> <seconds>', got ${JSON.stringify(options.pubsubBufferLimit)}`);
  }
  return [`client-output-buffer-limit pubsub ${parts.join(' ')}`];
}

/** Write `users.acl` into `dir` and return its path. */
function writeAclFile(dir: string, aclUsers: readonly RedisAclUser[], requirepass: string | undefined): string {
  const aclFile = join(dir, 'users.acl');
  const sha = (password: string): string => createHash('sha256').update(password).digest('hex');
  const aclLines = [
    requirepass === undefined ? 'user default on nopass ~* &* +@all' : `user default on #${sha(requirepass)} ~* &* +@all`,
  ];
  for (const user of aclUsers) {
    if (!/^[^\s]+$/.test(user.name) || user.name === 'default') {
      throw new Error(`invalid ACL user name ${JSON.stringify(user.name)}`);
    }
    aclLines.push(`user ${user.name} on #${sha(user.password)} ${user.rules ?? '~* &* +@all'}`);
  }
  writeFileSync(aclFile, `${aclLines.join('\n')}\n`);
  return aclFile;
}

function authLines(dir: string, options: StartRedisOptions): string[] {
  if (options.aclUsers && options.aclUsers.length > 0) {
    // With an aclfile, users (including `default`) come from the file; requirepass goes there too.
    return [`aclfile ${confQuote(writeAclFile(dir, options.aclUsers, options.requirepass))}`];
  }
  if (options.requirepass !== undefined) return [`requirepass ${confQuote(options.requirepass)}`];
  return [];
}

/** Write the server's `redis.conf` (and `users.acl` when there are ACL users); throws on invalid options. */
export function writeServerConfig(files: ServerFiles, options: StartRedisOptions): void {
  const lines = [
    ...baseLines(files),
    ...(options.appendonly ? ['appendonly yes', 'appendfsync always'] : ['appendonly no']),
    ...pubsubLimitLines(options),
    ...authLines(files.dir, options),
  ];
  writeFileSync(files.confFile, `${lines.join('\n')}\n`);
}
