import { BUILT_IN_EVENTS, EventRegistry, JsonCodec, type AnyEventDefinition } from '../../index.js';
import { ConnectionError, describeError } from '../../internal.js';
import { openConnection, userOf, type RedisClient, type RedisConnectionOptions } from '../connection.js';
import { ConnectionMonitor } from '../connection-monitor.js';
import type { DeadLetterReason } from './dead-letter.js';
import { FIELD_EVENT_ID, FIELD_MESSAGE, FIELD_TYPE, StreamKeys } from './keys.js';

/** Options of {@link DeadLetterQueue}. */
export interface DeadLetterQueueOptions {
  /** How to reach Redis. @default `{ url: 'redis://127.0.0.1:6379' }` */
  readonly connection?: RedisConnectionOptions;
  /** The namespace whose dead-letter stream to read. @default 'dotbus' */
  readonly namespace?: string;
  /** The definitions a redriven entry is checked against (the built-in ones are always known). @default [] */
  readonly events?: readonly AnyEventDefinition[];
  /** Longest one command may go unanswered, in ms. @default 10_000 */
  readonly commandTimeoutMs?: number;
}

/** One entry of the dead-letter stream, as the Streams transport wrote it. */
export interface DeadLetterEntry {
  /** Its id in the dead-letter stream (what {@link DeadLetterQueue.redrive} takes). */
  readonly id: string;
  readonly reason: DeadLetterReason;
  /** What went wrong, in words. */
  readonly error: string;
  /** Handler attempts made. */
  readonly attempts: number;
  /** The entry's id in the event stream. */
  readonly originalId: string;
  readonly group: string;
  readonly consumer: string;
  /** The event's id, when it was known. */
  readonly eventId?: string;
  /** The entry's type field, when it had one. */
  readonly type?: string;
  /** The wire message, when it had one and it is text. */
  readonly message?: string;
}

/** How a redrive of one entry ended. */
export type RedriveOutcome =
  /** Checked, sent back to the event stream as `newId`, and removed from the dead-letter stream. */
  | { readonly id: string; readonly status: 'redriven'; readonly newId: string }
  /** Left where it is: the entry is no valid event of a known definition (`reason` says why). */
  | { readonly id: string; readonly status: 'refused'; readonly reason: string }
  /** No such entry (already redriven, or trimmed). */
  | { readonly id: string; readonly status: 'gone' };

/**
 * KEYS[1] event stream, KEYS[2] dead-letter stream; ARGV dead-letter id, type, event id, message.
 * Removing the dead letter and adding the event is one step: two redrives of one entry send it back once.
 */
const REDRIVE = `
if redis.call('XDEL', KEYS[2], ARGV[1]) == 0 then return false end
return redis.call('XADD', KEYS[1], '*', '${FIELD_TYPE}', ARGV[2], '${FIELD_EVENT_ID}', ARGV[3], '${FIELD_MESSAGE}', ARGV[4])
`;

/**
 * The dead-letter stream of a Redis Streams namespace: what is in it, and a redrive that sends an
 * entry back to the event stream, where every group reads it again.
 *
 * @remarks A redrive first checks the entry: it must hold a text message that decodes, against
 * the definitions given, to a valid event of the entry's type and id; an event of a type without a
 * definition is refused (load its definition). What a redrive sends is the original message, byte
 * for byte, under a new stream id; handlers see the same event id (the idempotency guard, if on,
 * did not mark a dead-lettered event, so it is handled).
 */
export class DeadLetterQueue {
  readonly keys: StreamKeys;
  readonly #codec: JsonCodec;
  readonly #client: RedisClient;
  readonly #monitor: ConnectionMonitor;
  readonly #timeoutMs: number;
  #connected: Promise<void> | undefined;

  constructor(options: DeadLetterQueueOptions = {}) {
    this.keys = new StreamKeys(options.namespace);
    this.#codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, ...(options.events ?? [])]));
    this.#timeoutMs = options.commandTimeoutMs ?? 10_000;
    const connection = options.connection ?? {};
    this.#client = openConnection(connection, 'dead-letter', { commandTimeoutMs: this.#timeoutMs, waitWhileLoading: false });
    this.#monitor = new ConnectionMonitor(this.#client, 'dead-letter', userOf(connection), () => {});
  }

  /** Entries in the dead-letter stream. */
  async size(): Promise<number> {
    return Number(await this.#ask('XLEN', () => this.#client.xlen(this.keys.deadLetter)));
  }

  /** The newest `count` entries, newest first. */
  async list(count = 100): Promise<DeadLetterEntry[]> {
    const reply = await this.#ask('XREVRANGE', () => this.#client.call('XREVRANGE', this.keys.deadLetter, '+', '-', 'COUNT', String(count)));
    return (reply as [string, string[]][]).map(([id, fields]) => entryOf(id, fields));
  }

  /** Checks entry `id` and sends it back to the event stream; never throws for an entry that fails the check. */
  async redrive(id: string): Promise<RedriveOutcome> {
    const reply = (await this.#ask('XRANGE', () => this.#client.call('XRANGE', this.keys.deadLetter, id, id))) as [string, string[]][];
    const found = reply[0];
    if (found === undefined) return { id, status: 'gone' };
    const entry = entryOf(found[0], found[1]);
    const refusal = this.#check(entry, found[1]);
    if (refusal !== undefined) return { id, status: 'refused', reason: refusal };
    const newId = await this.#ask('redrive', () =>
      this.#client.eval(REDRIVE, 2, this.keys.events, this.keys.deadLetter, id, entry.type!, entry.eventId!, entry.message!),
    );
    return newId === null ? { id, status: 'gone' } : { id, status: 'redriven', newId: String(newId) };
  }

  /** {@link redrive} of every entry (oldest first, at most `limit`). */
  async redriveAll(limit = 10_000): Promise<RedriveOutcome[]> {
    const reply = (await this.#ask('XRANGE', () => this.#client.call('XRANGE', this.keys.deadLetter, '-', '+', 'COUNT', String(limit)))) as [string, string[]][];
    const outcomes: RedriveOutcome[] = [];
    for (const [id] of reply) outcomes.push(await this.redrive(id));
    return outcomes;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    this.#monitor.closing();
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }

  /** Why `entry` can't go back, or `undefined` when it is a valid event of its type and id. */
  #check(entry: DeadLetterEntry, fields: readonly string[]): string | undefined {
    if (fields.includes('enc')) return 'the entry holds bytes that are not UTF-8';
    if (entry.type === undefined || entry.message === undefined) return 'the entry has no type or no message';
    const decoded = this.#codec.decode(entry.message);
    if (!decoded.ok) return describeError(decoded.error);
    if (decoded.event.eventType !== entry.type) return `the message is a ${decoded.event.eventType}, the entry says ${entry.type}`;
    if (entry.eventId !== undefined && decoded.event.eventId !== entry.eventId) return `the message's event id is ${decoded.event.eventId}, the entry says ${entry.eventId}`;
    return undefined;
  }

  async #ask<T>(what: string, command: () => Promise<T>): Promise<T> {
    this.#connected ??= this.#client.connect().then(
      () => undefined,
      () => undefined,
    );
    await this.#connected;
    try {
      return await command();
    } catch (e) {
      throw new ConnectionError(`${what} on ${this.#monitor.target} failed: ${describeError(e)}`, { cause: e });
    }
  }
}

/** A dead-letter entry from its `XRANGE` fields. */
function entryOf(id: string, fields: readonly string[]): DeadLetterEntry {
  const get = (name: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  const eventId = get('eventId') || get(FIELD_EVENT_ID);
  const type = get(FIELD_TYPE);
  const message = get(FIELD_MESSAGE);
  return {
    id,
    reason: (get('reason') ?? 'decode-failed') as DeadLetterReason,
    error: get('error') ?? '',
    attempts: Number(get('attempts') ?? 0),
    originalId: get('id') ?? '',
    group: get('group') ?? '',
    consumer: get('consumer') ?? '',
    ...(eventId === undefined ? {} : { eventId }),
    ...(type === undefined ? {} : { type }),
    ...(message === undefined ? {} : { message }),
  };
}
