import { InvalidOptionError } from '../../internal.js';
import type { RedisClient } from '../connection.js';
import { CommitCommands } from './commit-commands.js';
import type { StreamKeys } from './keys.js';

/** Options of one {@link RedisStreamsTransport.commitOnce} call. */
export interface CommitOnceOptions {
  /**
   * Names this commit among several of one event in one group, e.g. one per subscription that
   * matches it: each scope commits once. 1–100 printable characters without spaces.
   * @default 'default'
   */
  readonly scope?: string;
}

/** The name the commit script is registered under on the command connection (`defineCommand`). */
const COMMAND = 'dotbusCommitOnce';

/**
 * KEYS[1] the mark, KEYS[2..] the commands' keys in order. ARGV: TTL, command count, then per
 * command name, key count, argument count, arguments (see {@link CommitCommands.scriptArgs}).
 * `SET NX` decides: only the first commit of a mark runs its commands. A command Redis rejects
 * (wrong type, …) cannot be rolled back — Redis has no rollback — so the mark is removed again
 * and the error returned: the commit was not made and is retried with the handler, never lost.
 */
const SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local k, a = 2, 3
for c = 1, tonumber(ARGV[2]) do
  local name, nk, na = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local argv = {}
  for _ = 1, nk do argv[#argv + 1] = KEYS[k]; k = k + 1 end
  for _ = 1, na do argv[#argv + 1] = ARGV[a]; a = a + 1 end
  local reply = redis.pcall(name, unpack(argv))
  if type(reply) == 'table' and reply.err then
    redis.call('DEL', KEYS[1])
    return redis.error_reply('command ' .. c .. ' (' .. name .. ') failed, commit not made: ' .. reply.err)
  end
end
return 1
`;

/** The command connection once the script is defined on it. */
interface CommitClient {
  dotbusCommitOnce(keyCount: number, ...keysThenArgs: string[]): Promise<unknown>;
}

/**
 * Runs {@link RedisStreamsTransport.commitOnce} commits for one group: validates and queues the
 * handler's writes, then applies them with the event's mark in one script (`EVALSHA`, falling back
 * to `EVAL` when the server lost its script cache — ioredis `defineCommand` does both).
 */
export class OnceCommitter {
  readonly #client: CommitClient;

  constructor(
    client: RedisClient,
    private readonly keys: StreamKeys,
    private readonly group: string,
    private readonly ttlMs: number,
  ) {
    // A user's client may be shared by several transports: define the script once per client.
    if (typeof (client as Partial<CommitClient>).dotbusCommitOnce !== 'function') client.defineCommand(COMMAND, { lua: SCRIPT });
    this.#client = client as unknown as CommitClient;
  }

  /**
   * Applies the writes `build` queues together with the mark of `eventId`, unless that mark exists.
   * @returns `true` if applied now, `false` if this event was already committed (in this group and scope).
   * @throws {@link InvalidOptionError} synchronously, at the call, for a bad key, command or scope, or a `build` that is async.
   */
  commit(eventId: string, build: (tx: CommitCommands) => unknown, options: CommitOnceOptions = {}): Promise<boolean> {
    const scope = options.scope ?? 'default';
    if (scope === '' || scope.length > 100 || /[\s\p{Cc}]/u.test(scope)) throw new InvalidOptionError('commitOnce.scope', 'must be 1–100 printable characters without spaces');
    const tx = new CommitCommands(this.keys);
    const built = build(tx);
    if (typeof (built as { then?: unknown } | undefined)?.then === 'function') {
      // Writes queued after an await would miss the commit: refuse instead of committing half.
      throw new InvalidOptionError('commitOnce', 'the builder must queue its commands synchronously; compute values before calling commitOnce');
    }
    const { keys, args } = tx.scriptArgs(this.keys.committed(this.group, eventId, scope), this.ttlMs);
    return this.#client.dotbusCommitOnce(keys.length, ...keys, ...args).then((applied) => applied === 1);
  }
}
