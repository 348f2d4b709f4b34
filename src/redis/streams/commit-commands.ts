import { InvalidOptionError } from '../../internal.js';
import type { StreamKeys } from './keys.js';

/** A value a commit command takes; numbers are sent as their decimal text. */
export type CommitArg = string | number;

/** One queued command: its keys come first, then the other arguments. */
interface QueuedCommand {
  readonly name: string;
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

/** Most commands in one commit: the script holds all its arguments at once. */
const MAX_COMMANDS = 1_000;

/**
 * The Redis writes of one {@link RedisStreamsTransport.commitOnce} commit. The handler queues
 * them; Redis applies them in one script together with the event's commit mark.
 *
 * @remarks Every key must carry the namespace's hash tag `{<ns>}` (build keys with
 * `transport.keys.tagged(name)`): all keys of a script must live in one Cluster slot, and the
 * mark lives in the namespace's. A key without it throws {@link InvalidOptionError} here, when it
 * is queued, not in Redis. Nothing is sent before the builder returns, and the commands' replies
 * are not returned: a commit is for writes. Methods return `this`, so calls chain.
 */
export class CommitCommands {
  readonly #keys: StreamKeys;
  readonly #queued: QueuedCommand[] = [];

  /** @internal Made by {@link RedisStreamsTransport.commitOnce}. */
  constructor(keys: StreamKeys) {
    this.#keys = keys;
  }

  /** `SET key value`, with `PX ttlMs` when given. */
  set(key: string, value: CommitArg, ttlMs?: number): this {
    return this.call('SET', [key], value, ...(ttlMs === undefined ? [] : ['PX', ttlMs]));
  }

  /** `INCRBY key by`. */
  incrby(key: string, by: number = 1): this {
    return this.call('INCRBY', [key], by);
  }

  /** `HINCRBY key field by`. */
  hincrby(key: string, field: CommitArg, by: number = 1): this {
    return this.call('HINCRBY', [key], field, by);
  }

  /** `HSET key field value`. */
  hset(key: string, field: CommitArg, value: CommitArg): this {
    return this.call('HSET', [key], field, value);
  }

  /** `SADD key member …`. */
  sadd(key: string, ...members: CommitArg[]): this {
    return this.call('SADD', [key], ...members);
  }

  /** `XADD key * field value …` (Redis picks the id). */
  xadd(key: string, fields: Readonly<Record<string, CommitArg>>): this {
    return this.call('XADD', [key], '*', ...Object.entries(fields).flat());
  }

  /** `PEXPIRE key ms`. */
  pexpire(key: string, ms: number): this {
    return this.call('PEXPIRE', [key], ms);
  }

  /** `DEL key …`. */
  del(...keys: string[]): this {
    return this.call('DEL', keys);
  }

  /**
   * Any other write whose keys come first, e.g. `call('ZINCRBY', [key], 1, 'member')`.
   * @throws {@link InvalidOptionError} for a malformed command name, no key, a key outside the
   * namespace's hash tag, or more than 1,000 commands.
   */
  call(command: string, keys: readonly string[], ...args: CommitArg[]): this {
    if (!/^[A-Za-z][A-Za-z0-9_|-]{0,63}$/.test(command)) throw new InvalidOptionError('commitOnce', `${JSON.stringify(command)} is not a command name`);
    if (keys.length === 0) throw new InvalidOptionError('commitOnce', `${command} needs at least one key (keys come first)`);
    for (const key of keys) this.#checkKey(key);
    if (this.#queued.length >= MAX_COMMANDS) throw new InvalidOptionError('commitOnce', `at most ${MAX_COMMANDS} commands per commit`);
    this.#queued.push({ name: command, keys: [...keys], args: args.map(String) });
    return this;
  }

  /** Number of commands queued. */
  get size(): number {
    return this.#queued.length;
  }

  /**
   * @internal The `KEYS` and `ARGV` of the commit script for mark `mark` kept `ttlMs`: keys are the
   * mark then every command's keys in order; args are the TTL, the command count, then per command
   * its name, key count, argument count and arguments.
   */
  scriptArgs(mark: string, ttlMs: number): { keys: string[]; args: string[] } {
    const keys = [mark];
    const args = [String(ttlMs), String(this.#queued.length)];
    for (const c of this.#queued) {
      keys.push(...c.keys);
      args.push(c.name, String(c.keys.length), String(c.args.length), ...c.args);
    }
    return { keys, args };
  }

  #checkKey(key: string): void {
    if (typeof key === 'string' && this.#keys.owns(key)) return;
    const tag = this.#keys.hashTag;
    throw new InvalidOptionError('commitOnce', `key ${JSON.stringify(key)} lacks the namespace hash tag ${tag}: a commit runs as one script in the namespace's Cluster slot; name it like \`${tag}:totals\` (transport.keys.tagged('totals'))`);
  }
}
