import { ConnectionError, describeError, parseUntrustedJson } from '../../internal.js';
import { fullJitterDelay } from '../backoff.js';
import type { ConnectionMonitor } from '../connection-monitor.js';
import type { AttemptLedger } from './attempts.js';
import type { StreamsCounters } from './counters.js';
import type { DeadLetterWriter } from './dead-letter.js';
import { sendForBuffers } from './buffer-command.js';
import { inspectEntry, parseRawAutoClaim, parseRawReadReply, type EntryView, type RawEntry } from './entries.js';
import type { EntryProcessor } from './entry-processor.js';
import type { StreamKeys } from './keys.js';
import { ReadBudget } from './read-budget.js';
import type { StreamSettler } from './settler.js';
import type { ResolvedStreamsOptions } from './options.js';

/** What a {@link RedisStreamsConsumer} works with. */
export interface StreamsConsumerContext {
  readonly keys: StreamKeys;
  readonly options: ResolvedStreamsOptions;
  /** The blocking connection, used for `XREADGROUP` only. */
  readonly reader: ConnectionMonitor;
  /** The command connection (shared with the producer): group setup, claims. */
  readonly commands: ConnectionMonitor;
  readonly settler: StreamSettler;
  /** Dead letters; checked again by the claim timer while the stream refuses them. */
  readonly deadLetters: DeadLetterWriter;
  readonly processor: EntryProcessor;
  /** Attempts of claimed entries, counted across members. */
  readonly attempts: AttemptLedger;
  /** The group is this transport's own (no `group` option): destroy it on close. */
  readonly ownsGroup: boolean;
  readonly counters: StreamsCounters;
  readonly readyTimeoutMs: number;
}

const MAX_SEQ = '18446744073709551615';

/**
 * The reading half of the Streams transport: one member of one consumer group.
 *
 * @remarks One loop does bounded blocking reads (`XREADGROUP … COUNT BLOCK … >`) and never holds
 * more than `maxInFlight` unacknowledged entries (backpressure: a slow handler slows reading, and
 * unread events wait in Redis, not in this process). Entries are read as bytes and sized by a
 * {@link ReadBudget} (`readBudgetBytes`), so their memory is bounded too, and checked by
 * {@link inspectEntry} before anything parses them. A timer claims entries left pending by dead
 * members (`XAUTOCLAIM`, idle > `claimIdleMs`) and refreshes the idle time of entries this member
 * is still working on (`XCLAIM … JUSTID`), so a slow but live member keeps its work. A claim that
 * found no room (every slot busy with new reads) gets the next free slots before the next read, so
 * a dead member's entries don't wait for a backlog to drain. `close()` destroys a group the
 * transport made for itself (broadcast without `group`), so short-lived consumers leave none behind.
 */
export class RedisStreamsConsumer {
  readonly #ctx: StreamsConsumerContext;
  /** Entries being processed: id → bytes held. */
  readonly #working = new Map<string, number>();
  readonly #budget: ReadBudget;
  readonly #waiters: (() => void)[] = [];
  #started: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #claiming = false;
  #claimDue = false;
  #stopping = false;

  constructor(context: StreamsConsumerContext) {
    this.#ctx = context;
    this.#budget = new ReadBudget(context.options.readBudgetBytes, context.options.readCount);
  }

  /** Connects, creates the group if needed, and starts reading. Idempotent; resolves once reading. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  /** Whether the consumer was started. */
  get started(): boolean {
    return this.#started !== undefined;
  }

  /** Resolves once no entry is being processed and every acknowledgement was sent. */
  async drain(): Promise<void> {
    while (this.#ctx.counters.inFlight > 0) await new Promise<void>((r) => this.#waiters.push(r));
    await this.#ctx.settler.idle();
  }

  /**
   * Stops reading, waits up to `timeoutMs` for entries in progress, then disconnects the reader.
   * Destroys the group if it is the transport's own (`ownsGroup`); the command connection must
   * still be open (the transport closes it after this).
   */
  async close(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#ctx.reader.closing();
    this.#ctx.reader.client.disconnect();
    const timeout = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([this.drain(), timeout]);
    this.#ctx.settler.close();
    // A read loop parked in #room() (every slot held by a handler that never ends) must see #stopping.
    for (const wake of this.#waiters.splice(0)) wake();
    // A start still in flight may create the group after we'd destroy it: let it settle first.
    await Promise.race([this.#started?.catch(() => undefined), timeout]);
    await this.#loop?.catch(() => undefined);
    if (this.#ctx.ownsGroup && this.started) await this.#destroyGroup();
  }

  async #start(): Promise<void> {
    const { reader, commands, readyTimeoutMs } = this.#ctx;
    reader.client.connect().catch(() => {
      // Surfaces through the monitor and waitUp below.
    });
    await Promise.all([reader.waitUp(readyTimeoutMs), commands.waitUp(readyTimeoutMs)]);
    // close() may have run during the awaits: start nothing it would not stop.
    if (this.#stopping) return;
    await this.#ensureGroup();
    if (this.#stopping) return;
    this.#loop = this.#readLoop();
    const claimIdleMs = this.#ctx.options.claimIdleMs;
    this.#timer = setInterval(() => void this.#maintain(), Math.max(50, Math.min(claimIdleMs / 3, 5_000)));
    this.#timer.unref();
  }

  async #ensureGroup(): Promise<void> {
    const { keys, options, commands } = this.#ctx;
    try {
      await commands.client.call('XGROUP', 'CREATE', keys.events, options.group, startId(options.startFrom), 'MKSTREAM');
    } catch (e) {
      if (describeError(e).startsWith('BUSYGROUP')) return;
      const grant = commands.grantFor(e);
      throw new ConnectionError(`cannot create consumer group ${options.group}: ${describeError(e)}${grant === undefined ? '' : `; ${grant}`}`, { cause: e });
    }
  }

  async #destroyGroup(): Promise<void> {
    const { keys, options, commands } = this.#ctx;
    if (commands.client.status !== 'ready') return; // Redis unreachable: the group stays (documented)
    await commands.client.call('XGROUP', 'DESTROY', keys.events, options.group).catch(() => {
      // Same: nothing else to do at close.
    });
  }

  async #readLoop(): Promise<void> {
    const { options, keys, reader } = this.#ctx;
    let failures = 0;
    while (!this.#stopping) {
      await this.#room();
      if (this.#stopping) break;
      if (this.#claimDue) {
        this.#claimDue = false;
        await this.#maintain();
        continue; // the claim may have used the room: check it again
      }
      const count = this.#budget.count(options.maxInFlight - this.#ctx.counters.inFlight);
      if (count === 0) continue; // #room() waits for a slot or bytes to free up
      try {
        // Bytes, not text: a value that is not UTF-8 must reach the dead-letter stream intact.
        const reply = await sendForBuffers(reader.client, 'XREADGROUP', ['GROUP', options.group, options.consumer,
          'COUNT', String(count), 'BLOCK', String(options.blockMs), 'STREAMS', keys.events, '>']);
        failures = 0;
        const entries = parseRawReadReply(reply);
        this.#budget.observe(entries);
        await this.#accept(entries);
      } catch (e) {
        if (this.#stopping) break;
        // NOGROUP: Redis lost the group (restart without persistence); recreate it and go on.
        if (describeError(e).includes('NOGROUP')) await this.#ensureGroup().catch(() => undefined);
        await new Promise((r) => setTimeout(r, fullJitterDelay(++failures, { baseMs: 50, capMs: 2_000 })));
      }
    }
  }

  /** Starts processing `entries`; `prior` holds earlier attempts of claimed ones (entry id → count). */
  async #accept(entries: readonly RawEntry[], prior?: ReadonlyMap<string, number>): Promise<void> {
    if (entries.length === 0) return;
    const { counters, settler, processor, options } = this.#ctx;
    // One pass, no per-entry closures or copies: this runs for every entry read.
    const fresh: RawEntry[] = [];
    const views: (EntryView | undefined)[] = [];
    for (const entry of entries) {
      if (this.#working.has(entry.id)) continue;
      // Hold the bytes from here on: the guard lookup below waits for Redis.
      this.#working.set(entry.id, entry.size);
      this.#budget.hold(entry.size);
      fresh.push(entry);
      // The shape is checked before anything parses a message (cheap, can't fail on hostile bytes).
      views.push(entry.fields === undefined ? undefined : inspectEntry(entry.fields, options.maxMessageBytes));
    }
    let seen: readonly boolean[] | undefined;
    if (settler.guarded) {
      try {
        seen = await settler.processed(fresh.map((e, i) => guardIdOf(views[i], (prior?.get(e.id) ?? 0) < options.maxAttempts)));
      } catch {
        seen = undefined; // guard unreachable: handle anyway (at-least-once wins)
      }
    }
    for (let i = 0; i < fresh.length; i++) {
      const entry = fresh[i]!;
      counters.received++;
      counters.inFlight++;
      // Most entries are settled before process() returns: no promise or closure for them. The
      // processor never throws or rejects, so `then` (not `finally`) is enough for the rest.
      const pending = processor.process(entry, views[i], seen?.[i] === true, prior?.get(entry.id) ?? 0);
      if (pending === undefined) this.#done(entry.id);
      else void pending.then(() => this.#done(entry.id));
    }
  }

  #done(id: string): void {
    this.#budget.release(this.#working.get(id) ?? 0);
    this.#working.delete(id);
    this.#ctx.counters.inFlight--;
    if (this.#waiters.length > 0) for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Waits until a slot is free and the held entries leave room in the read budget. */
  async #room(): Promise<void> {
    while (!this.#stopping && (this.#ctx.counters.inFlight >= this.#ctx.options.maxInFlight || this.#budget.full)) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  async #maintain(): Promise<void> {
    if (this.#claiming || this.#stopping || this.#ctx.commands.client.status !== 'ready') return;
    this.#claiming = true;
    try {
      await this.#keepAlive();
      if (this.#ctx.deadLetters.blocked > 0) await this.#ctx.deadLetters.probe();
      await this.#claim();
    } catch {
      // Redis is unreachable: the next tick tries again.
    } finally {
      this.#claiming = false;
    }
  }

  async #keepAlive(): Promise<void> {
    const { keys, options, commands } = this.#ctx;
    const ids = [...this.#working.keys()];
    for (let i = 0; i < ids.length; i += 1_000) {
      await commands.client.call('XCLAIM', keys.events, options.group, options.consumer, '0', ...ids.slice(i, i + 1_000), 'JUSTID');
    }
  }

  async #claim(): Promise<void> {
    const { keys, options, commands, counters } = this.#ctx;
    let cursor = '0-0';
    do {
      if (this.#stopping) return;
      const count = this.#budget.count(options.maxInFlight - counters.inFlight);
      if (count === 0) {
        this.#claimDue = true; // the read loop runs the claim again as soon as a slot (or budget) frees up
        return;
      }
      const reply = parseRawAutoClaim(await sendForBuffers(commands.client, 'XAUTOCLAIM', [keys.events, options.group, options.consumer,
        String(options.claimIdleMs), cursor, 'COUNT', String(count)]));
      cursor = reply.cursor;
      this.#budget.observe(reply.entries);
      counters.claimed += reply.entries.length;
      if (reply.deleted.length > 0) counters.drops.add('expired', reply.deleted.length);
      const fresh = reply.entries.filter((e) => !this.#working.has(e.id));
      await this.#accept(fresh, await this.#ctx.attempts.prior(fresh));
    } while (cursor !== '0-0');
  }
}

/** The id `XGROUP CREATE` takes for a start point. */
function startId(start: ResolvedStreamsOptions['startFrom']): string {
  if (start === 'beginning') return '0';
  if (start === 'now') return '$';
  const ms = start.getTime();
  return ms <= 0 ? '0' : `${ms - 1}-${MAX_SEQ}`;
}

/**
 * The event id of an entry for the guard's batch lookup: its `i` field, or for an entry another
 * producer wrote without one, the envelope's `id` (a safe parse; a regex over the message could
 * pick up an `id` inside `data`) — parsed only when `mayParse` (the entry has attempts left: one
 * that used them all may be what crashed its members). `undefined`: not looked up. The processor
 * checks the id against the decoded event.
 */
function guardIdOf(view: EntryView | undefined, mayParse: boolean): string | undefined {
  if (view === undefined || !view.ok) return undefined;
  if (view.eventId !== undefined) return view.eventId;
  if (!mayParse) return undefined;
  const parsed = parseUntrustedJson(view.message.toString('utf8'));
  const id: unknown = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
