import { isUtf8 } from 'node:buffer';
import { ConnectionError, describeError, type DotbusError } from '../../internal.js';
import type { RedisClient } from '../connection.js';
import { sendForBuffers } from './buffer-command.js';
import type { MalformedReason, RawEntry } from './entries.js';
import { FIELD_EVENT_ID, FIELD_MESSAGE, FIELD_TYPE, type StreamKeys } from './keys.js';

/**
 * Why an entry went to the dead-letter stream.
 *
 * - `handler-failed`: its handlers kept failing until `maxAttempts`.
 * - `attempts-exhausted`: its attempts ran out without a result, because the members holding it
 *   kept stopping (a handler or a decoder that crashes its process, a kill) — it is not decoded
 *   again.
 * - `decode-failed`: the message is no valid event (the error says why: malformed JSON, schema, …).
 * - `signature-rejected`: signature verification refused it (unsigned, forged, altered, unknown
 *   key, replayed; the error says which).
 * - `type-mismatch` / `id-mismatch`: the message decodes, but to an event of another type or id
 *   than the entry's `t` / `i` field says.
 * - {@link MalformedReason}s, found before parsing: `missing-message`, `missing-type`,
 *   `invalid-type`, `not-utf8`, `oversize`, `duplicate-field`.
 */
export type DeadLetterReason = 'handler-failed' | 'decode-failed' | 'signature-rejected' | 'attempts-exhausted' | 'type-mismatch' | 'id-mismatch' | MalformedReason;

/** What a dead-letter entry records besides the original fields. */
export interface DeadLetterInfo {
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly attempts: number;
  readonly eventId?: string;
}

/** How a dead-letter write ended. `written`: stored and the entry acknowledged. Otherwise the entry stays pending. */
export type DeadLetterOutcome = 'written' | 'refused' | 'unreachable';

/** Prefix of an original field other than `t`, `i` and `m` in a dead-letter entry. */
export const FOREIGN_FIELD_PREFIX = 'field:';

/** Registered on the command connection with `defineCommand`. */
const COMMAND = 'dotbusDeadLetter';

/**
 * KEYS[1] the event stream, KEYS[2] the dead-letter stream; ARGV group, entry id, then the `XADD`
 * arguments after the key. The acknowledgement runs only if the dead-letter entry was stored: a
 * failing `XADD` raises, and the script stops before `XACK`. A dead-letter key of another type is
 * refused up front with its type, so the error can name it.
 */
const SCRIPT = `
local kind = redis.call('TYPE', KEYS[2])['ok']
if kind ~= 'stream' and kind ~= 'none' then return redis.error_reply('DOTBUS_DEAD_LETTER_TYPE ' .. kind) end
local id = redis.call('XADD', KEYS[2], unpack(ARGV, 3))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return id
`;

/** Most script arguments: Lua's `unpack` stops near 8,000. An entry with more fields is written in two steps. */
const MAX_SCRIPT_ARGS = 7_000;

/** The command connection once the script is defined on it. */
interface DeadLetterClient {
  dotbusDeadLetter(...keysThenArgs: (string | Buffer)[]): Promise<unknown>;
}

/** What a {@link DeadLetterWriter} tells its transport. */
export interface DeadLetterHooks {
  /** A failure to report (the bus's observer). */
  report(error: DotbusError): void;
  /** The dead-letter stream stopped (`degraded`) or started again (`up`) accepting writes. */
  health(status: 'degraded' | 'up', detail: string): void;
}

/**
 * Writes dead letters: the entry's original fields with the reason, and acknowledges the entry in
 * the same script — only if the dead-letter entry was stored.
 *
 * @remarks Layout of a dead-letter entry: `reason`, `error`, `attempts`, `id` (the original
 * stream id), `group`, `consumer`, `eventId` (`''` when unknown), `enc: base64` when the original
 * holds bytes that are not UTF-8, then the original fields byte for byte in their order: `t`, `i`
 * and `m` under their own names, any other field as `field:<name>`. With `enc: base64` every
 * original value, and the `<name>` of a `field:<name>`, is base64 (so readers that decode UTF-8
 * lose nothing).
 *
 * A write Redis refuses (the dead-letter key holds another type, out of memory, an ACL) leaves the
 * entry pending: it is reported once per entry and attempt, the transport's status reads
 * `degraded` and a `system.health.degraded` event names the cause; the entry is claimed again
 * after `claimIdleMs` and dead-lettered once the key accepts writes. A wrong key type is
 * re-checked on every claim tick (`TYPE`), so the status returns to `up` as soon as it is fixed.
 */
export class DeadLetterWriter {
  readonly #client: RedisClient & DeadLetterClient;
  /** Entries left pending because the stream refused them, since it last accepted a write. */
  readonly #blocked = new Set<string>();
  /** Why writes are refused: `wrong-type` is checked with `TYPE`, anything else by the next write. */
  #cause: 'wrong-type' | 'refused' | undefined;

  constructor(
    client: RedisClient,
    private readonly keys: StreamKeys,
    private readonly group: string,
    private readonly consumer: string,
    private readonly maxLen: number,
    private readonly hooks: DeadLetterHooks,
  ) {
    // A user's client may be shared by several transports: define the script once per client.
    if (typeof (client as Partial<DeadLetterClient>).dotbusDeadLetter !== 'function') client.defineCommand(COMMAND, { numberOfKeys: 2, lua: SCRIPT });
    this.#client = client as RedisClient & DeadLetterClient;
  }

  /** Entries this member left pending because the dead-letter stream refused them (0 when it accepts writes). */
  get blocked(): number {
    return this.#blocked.size;
  }

  /** Stores `entry` with `info` and acknowledges it; never rejects. */
  async write(entry: RawEntry, info: DeadLetterInfo): Promise<DeadLetterOutcome> {
    const args = this.#xaddArgs(entry, info);
    try {
      if (args.length + 2 <= MAX_SCRIPT_ARGS) {
        await this.#client.dotbusDeadLetter(this.keys.events, this.keys.deadLetter, this.group, entry.id, ...args);
      } else {
        // Too many fields for one script: store, then acknowledge. A crash in between writes the
        // dead letter twice (the entry is claimed and dead-lettered again), never loses it.
        const kind = await this.#client.type(this.keys.deadLetter);
        if (kind !== 'stream' && kind !== 'none') throw new Error(`DOTBUS_DEAD_LETTER_TYPE ${kind}`);
        await sendForBuffers(this.#client, 'XADD', [this.keys.deadLetter, ...args]);
        await this.#client.xack(this.keys.events, this.group, entry.id);
      }
    } catch (e) {
      return this.#failed(entry, info, e);
    }
    this.#blocked.delete(entry.id);
    if (this.#cause !== undefined) this.#recovered('the dead-letter stream accepts writes again');
    return 'written';
  }

  /** While writes are refused for a wrong key type: checks the key again, and reports `up` once it is fixed. */
  async probe(): Promise<void> {
    if (this.#cause !== 'wrong-type') return;
    const kind = await this.#client.type(this.keys.deadLetter);
    if (kind === 'stream' || kind === 'none') this.#recovered(`${this.keys.deadLetter} is ${kind === 'none' ? 'gone' : 'a stream'} now; entries left pending are dead-lettered when claimed again`);
  }

  #failed(entry: RawEntry, info: DeadLetterInfo, e: unknown): DeadLetterOutcome {
    const text = describeError(e);
    const refused = /DOTBUS_DEAD_LETTER_TYPE (\S+)/.exec(text);
    // Not a reply from Redis: the connection is down, which the connection status reports already.
    if (refused === null && !isReplyError(e)) return 'unreachable';
    const why = refused !== null
      ? `dead-letter stream ${this.keys.deadLetter} is a ${refused[1]}, not a stream: delete or rename it`
      : `Redis refused the write to ${this.keys.deadLetter}: ${text}`;
    this.hooks.report(new ConnectionError(`cannot dead-letter stream entry ${entry.id} (${info.reason}): ${why}; the entry stays pending and is dead-lettered once that works`, { cause: e }));
    this.#blocked.add(entry.id);
    const cause = refused !== null ? 'wrong-type' : 'refused';
    if (this.#cause !== cause) {
      this.#cause = cause;
      this.hooks.health('degraded', why);
    }
    return 'refused';
  }

  #recovered(detail: string): void {
    this.#cause = undefined;
    this.#blocked.clear();
    this.hooks.health('up', detail);
  }

  /** The `XADD` arguments after the key: trimming, `*`, the info fields, then the original fields. */
  #xaddArgs(entry: RawEntry, info: DeadLetterInfo): (string | Buffer)[] {
    const fields = entry.fields ?? [];
    const binary = fields.some((f) => !isUtf8(f));
    const args: (string | Buffer)[] = this.maxLen > 0 ? ['MAXLEN', '~', String(this.maxLen), '*'] : ['*'];
    args.push('reason', info.reason, 'error', info.error, 'attempts', String(info.attempts), 'id', entry.id,
      'group', this.group, 'consumer', this.consumer, 'eventId', info.eventId ?? '');
    if (binary) args.push('enc', 'base64');
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]!;
      const value = fields[i + 1]!;
      const own = name.length === 1 && [FIELD_TYPE, FIELD_EVENT_ID, FIELD_MESSAGE].includes(String.fromCharCode(name[0]!));
      if (own) args.push(name);
      else args.push(binary ? `${FOREIGN_FIELD_PREFIX}${name.toString('base64')}` : Buffer.concat([Buffer.from(FOREIGN_FIELD_PREFIX), name]));
      args.push(binary ? value.toString('base64') : value);
    }
    return args;
  }
}

/** Whether `e` is an error reply from Redis (ioredis's `ReplyError`), not a broken connection. */
function isReplyError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ReplyError';
}
