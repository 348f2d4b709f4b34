import { randomUUID } from 'node:crypto';
import {
  isDotbusError,
  SystemHealthEvent,
  type BusEvent,
  type EventHandler,
  type PublishReceipt,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportContext,
} from '../../index.js';
import { ConnectionError, describeError, SubscriptionTable, TableSubscription } from '../../internal.js';
import type { StreamGroupInfo } from '../../monitoring/index.js';
import type { ConnectionMonitor, ConnectionStatus } from '../connection-monitor.js';
import { producerIdOf, RedisTransportShell } from '../transport-shell.js';
import { RedisStreamsConsumer } from './consumer.js';
import { resolveStreamsOptions, type RedisStreamsOptions, type ResolvedStreamsOptions } from './options.js';
import { RedisStreamsProducer } from './producer.js';
import { streamsStats, type RedisStreamsStats } from './stats.js';
import { AttemptLedger } from './attempts.js';
import type { CommitCommands } from './commit-commands.js';
import { OnceCommitter, type CommitOnceOptions } from './commit-once.js';
import { StreamsCounters } from './counters.js';
import { DeadLetterWriter } from './dead-letter.js';
import { EntryProcessor } from './entry-processor.js';
import { readStreamGroups } from './group-info.js';
import { HandlerRunner } from './handler-runner.js';
import { StreamKeys } from './keys.js';
import { StreamSettler } from './settler.js';

/** Most local (system) event runs at once; see {@link RedisStreamsTransport.publishLocal}. */
const MAX_LOCAL_IN_FLIGHT = 256;
const NAME = 'redis-streams';
/** How long commit marks live without an `idempotency.ttlMs`, in ms (one day). */
const COMMIT_TTL_MS = 86_400_000;

/**
 * Durable, at-least-once delivery over Redis Streams, with consumer groups, dead-lettering and
 * replay; the same API as every other transport.
 *
 * @remarks
 * - Layout: one stream per namespace, `{<ns>}:events` (see {@link StreamKeys} for why).
 * - Delivery: each transport is a member of one consumer group (`group`). Different groups each
 *   get every event (broadcast); members of one group split them (work sharing). Without
 *   `group`, every transport has its own group: broadcast, starting at `now`.
 * - At-least-once: an entry is acknowledged only after all its handlers succeeded; failing ones
 *   are retried with backoff and jitter, then the entry goes to `{<ns>}:dead-letter`. Entries of a
 *   dead member are claimed after `claimIdleMs`; `maxAttempts` counts attempts across members, and
 *   an entry that used them all is dead-lettered without being decoded again. Malformed entries
 *   are dead-lettered with a precise reason and their original fields (see {@link DeadLetterWriter});
 *   an entry is acknowledged only once its dead letter is stored. With `onUndecodable` they go to
 *   that function instead, and are acknowledged once it resolved (how the audit recorder keeps
 *   them).
 * - Memory: entries are read as bytes, in reads sized to `readBudgetBytes`; a message over
 *   `maxMessageBytes` is dead-lettered (`oversize`) without being parsed.
 * - Once: `idempotency` skips redeliveries of events already handled; {@link commitOnce} makes a
 *   handler's Redis writes exactly-once, even across a SIGKILL.
 * - Backpressure: at most `maxInFlight` unacknowledged entries per member; the producer has the
 *   bounded outage buffer of Pub/Sub.
 * - Order: a producer's events are stored in publish order and handler calls start in stream order
 *   (retries and claims may reorder).
 *
 * @example
 * ```ts
 * import { createBus } from 'dotbus';
 * import { RedisStreamsTransport } from 'dotbus/redis';
 * const bus = createBus({ events: [OrderPlaced], transport: new RedisStreamsTransport({
 *   connection: { url: 'redis://redis:6379' }, namespace: 'shop', group: 'billing' }) });
 * bus.subscribe('order.*', async (e) => charge(e.data));
 * await bus.ready();
 * ```
 */
export class RedisStreamsTransport implements Transport {
  readonly name = NAME;
  readonly enabled = true;
  /** The options in effect, defaults filled in (group, consumer name, …). */
  readonly settings: ResolvedStreamsOptions;
  /** The keys of this namespace. */
  readonly keys: StreamKeys;
  readonly #options: RedisStreamsOptions;
  readonly #shell: RedisTransportShell;
  readonly #subs = new SubscriptionTable<TableSubscription>({
    transport: NAME,
    noQueue: 'a Streams subscription has no queue of its own: unacknowledged entries wait in the stream; bound them with the transport option `maxInFlight`',
    noMaxInFlight: "the handlers of a Streams member share the transport option `maxInFlight` (unacknowledged entries per member); set it there",
  });
  readonly #counters = new StreamsCounters();
  #localInFlight = 0;
  readonly #producer: RedisStreamsProducer;
  readonly #consumer: RedisStreamsConsumer;
  readonly #local: HandlerRunner;
  readonly #committer: OnceCommitter;
  readonly #deadLetters: DeadLetterWriter;
  readonly #groupInfo: () => Promise<StreamGroupInfo[]>;

  constructor(options: RedisStreamsOptions = {}) {
    this.#options = options;
    this.settings = resolveStreamsOptions(options, randomUUID());
    this.keys = new StreamKeys(options.namespace);
    const shell = (this.#shell = new RedisTransportShell(NAME, options.connection ?? {}, (e) => this.publishLocal(e), options));
    // No auto-pipelining: its pipeline and promise per command made XADD cost 15-16 µs of CPU an
    // event; the producer and the settler cork the socket for the rest of the task instead (9-10 µs).
    const cmd = shell.open('commands', 'streams-commands');
    const reader = shell.open('reader', 'streams-reader');
    this.#producer = new RedisStreamsProducer(cmd, {
      keys: this.keys, producerId: producerIdOf(options.producerId), buffer: options.buffer ?? {},
      maxLen: this.settings.maxLen, maxAgeMs: this.settings.maxAgeMs,
      codec: () => shell.codec, report: (e) => shell.report(e),
      countDrop: (reason, count, type) => {
        this.#counters.drops.add(reason, count);
        shell.dropped(reason, count, type);
      },
    });
    shell.useProducer(this.#producer);
    this.#deadLetters = new DeadLetterWriter(cmd.client, this.keys, this.settings.group, this.settings.consumer, this.settings.deadLetterMaxLen, {
      report: (e) => shell.report(e),
      health: (status, detail) => {
        if (shell.closed) return;
        this.publishLocal(SystemHealthEvent.create(`system.health.${status}`, { component: `${NAME}/dead-letter`, status, detail }, { source: `/dotbus/${NAME}` }));
      },
    });
    this.#consumer = this.#makeConsumer(cmd, reader);
    this.#groupInfo = () => readStreamGroups(cmd.client, this.keys);
    this.#committer = new OnceCommitter(cmd.client, this.keys, this.settings.group, this.settings.idempotencyTtlMs ?? COMMIT_TTL_MS);
    this.#local = new HandlerRunner({ maxAttempts: 1, backoff: this.settings.retryBackoff }, this.#hooks());
  }

  /**
   * Overall state: the worst of the command and (once reading) the reader connection, or
   * `degraded` while both are up but the dead-letter stream refuses writes (entries wait pending;
   * `stats().deadLetterBlocked` counts them, and a `system.health.degraded` event says why).
   */
  get status(): ConnectionStatus | 'degraded' {
    const status = this.#shell.status(this.#consumer.started);
    return status === 'up' && this.#deadLetters.blocked > 0 ? 'degraded' : status;
  }

  bind(context: TransportContext): void {
    this.#shell.bind(context);
    this.#producer.start();
  }

  /** Resolves once connected and, if anything subscribed, once the group exists and reading started. */
  async ready(): Promise<void> {
    if (this.#shell.closed) throw this.#shell.closedError();
    this.#producer.start();
    await this.#shell.waitUp(this.#options.readyTimeoutMs ?? 10_000);
    if (this.#subs.size > 0 || this.#consumer.started) await this.#consumer.start();
  }

  /**
   * Resolves `accepted` once Redis acknowledged the `XADD`, `buffered` while Redis is unreachable,
   * `dropped` when a full `drop-newest` outage buffer refused it (counted).
   * @throws {@link TransportClosedError} after `close()`; encoding errors for invalid events.
   */
  publish(event: BusEvent): Promise<PublishReceipt> {
    return this.#shell.publish(event);
  }

  /** @see {@link EventProducer.publishBatch} Pipelined; the whole batch fails if one event is invalid. */
  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    return this.#shell.publishBatch(events);
  }

  /**
   * Runs this process's matching handlers once, never through Redis and never acknowledged. At
   * most {@link MAX_LOCAL_IN_FLIGHT} such runs at once: a storm of health or error events with
   * slow handlers is dropped (and counted) instead of growing without bound.
   */
  publishLocal(event: BusEvent): void {
    if (this.#shell.closed) return;
    const subs = this.#subs.match(event.eventType);
    this.#counters.received++;
    if (subs.length === 0) {
      this.#counters.unrouted++;
      return;
    }
    if (this.#localInFlight >= MAX_LOCAL_IN_FLIGHT) {
      this.#counters.drops.add('drop-newest');
      this.#shell.dropped('drop-newest', 1, event.eventType);
      return;
    }
    this.#localInFlight++;
    void this.#local
      .run(event, subs, () => false)
      .then((o) => {
        if (!o.ok) for (const f of o.failures) this.#shell.report(f, event);
      })
      .catch(() => undefined) // the runner reports handler failures itself; nothing may go unhandled
      .finally(() => this.#localInFlight--);
  }

  /** @see {@link EventConsumer.subscribe} The first subscription joins the group and starts reading. */
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    if (this.#shell.closed) throw this.#shell.closedError();
    const sub = this.#subs.add(pattern, handler, options, (id) => new TableSubscription(id, pattern, handler, (s) => this.#subs.release(s)));
    this.#producer.start();
    const started = this.#consumer.start();
    started.catch((e: unknown) => {
      // ready() and sub.ready reject with the same reason; here it only reaches onError.
      const error = isDotbusError(e) ? e : new ConnectionError(describeError(e), { cause: e });
      this.#shell.report(error);
    });
    if (sub.active) sub.ready = started;
    return sub;
  }

  /**
   * Applies Redis writes exactly once per event and group: `build` queues them on `tx`, and Redis
   * applies them in one script together with the event's commit mark, or not at all if that mark
   * exists. Call it from a handler; `await` it so a failed commit fails the handler.
   *
   * @remarks
   * Exactly-once: the writes queued in `build`. They land atomically with the mark (one script: no
   * crash leaves one without the other), so they take effect at most once per (group, event id,
   * `scope`); the entry is acknowledged only after the handler succeeded, so at least once. A member
   * SIGKILLed between commit and acknowledgement has its entry redelivered; the handler runs again
   * and this call returns `false`.
   *
   * Not exactly-once: everything else the handler does (HTTP calls, logs, writes outside `build`,
   * other databases) is at-least-once like any handler. The mark lives `idempotency.ttlMs` (default
   * one day) and must not be evicted (`maxmemory-policy` `noeviction` or `volatile-*` with care): a
   * redelivery after it expired applies again. A command Redis rejects at run time (wrong key type)
   * aborts the commit: earlier commands of it stay applied (Redis has no rollback), the mark is
   * removed and the call rejects, so the handler fails and the whole commit is retried.
   *
   * Works with or without the `idempotency` guard. The guard skips redeliveries whose handlers all
   * finished; a commit also covers the crash between a side effect and the guard's mark.
   *
   * @returns `true` if the writes were applied now, `false` if the event was already committed.
   * @throws {@link InvalidOptionError} at the call for a key without the hash tag `{<ns>}` (use
   * {@link StreamKeys.tagged}), a malformed command, a bad `scope` or an async `build`; rejects with
   * {@link TransportClosedError} after `close()`, and with Redis's error when it is unreachable.
   * @example
   * ```ts
   * const totals = transport.keys.tagged('totals');
   * bus.subscribe('order.placed', async (e) => {
   *   await transport.commitOnce(e, (tx) => tx.hincrby(totals, e.data.sku, e.data.quantity));
   * });
   * ```
   */
  commitOnce(event: BusEvent, build: (tx: CommitCommands) => unknown, options?: CommitOnceOptions): Promise<boolean> {
    if (this.#shell.closed) return Promise.reject(this.#shell.closedError());
    const result = this.#committer.commit(event.eventId, build, options);
    void result.then((applied) => void (applied ? this.#counters.committed++ : this.#counters.commitsSkipped++), () => undefined);
    return result;
  }

  /** Resolves once no entry that was read is still being handled and every ack was sent. */
  drain(): Promise<void> {
    return this.#consumer.drain();
  }

  /**
   * Stops publishing and reading, flushes the outage buffer, waits for entries in progress (up to
   * `closeTimeoutMs`; unfinished ones stay pending for the group), then quits. Idempotent.
   * Without a `group` option the group was this transport's own, so it is destroyed
   * (`XGROUP DESTROY`); a named group stays. If Redis is unreachable at close, or the process dies
   * without closing, an own group stays behind (`XINFO GROUPS` shows `broadcast-<uuid>`).
   */
  async close(): Promise<void> {
    if (!this.#shell.markClosed()) return;
    const timeout = this.#options.closeTimeoutMs ?? 5_000;
    await this.#consumer.close(timeout);
    for (const sub of this.#subs.all()) this.#subs.release(sub);
    await this.#producer.close(timeout);
  }

  /**
   * Every consumer group of this namespace's stream as Redis reports it now (members, pending
   * entries, lag, age of the oldest pending entry), read on the command connection: for
   * `dotbus/prometheus`'s `registerStreamMetrics` and `dotbus/otel`'s `otelMetrics` at scrape time.
   * @returns no groups while the stream doesn't exist; rejects when Redis is unreachable or refuses
   * `XINFO`, `XPENDING` or `TIME`.
   */
  groupInfo(): Promise<StreamGroupInfo[]> {
    if (this.#shell.closed) return Promise.reject(this.#shell.closedError());
    return this.#groupInfo();
  }

  /** Counters of this member and its producer (see {@link RedisStreamsStats}). */
  stats(): RedisStreamsStats {
    return streamsStats(this.#counters, this.#producer.stats(), this.#shell.reconnects, this.status, this.#deadLetters.blocked);
  }

  #makeConsumer(cmd: ConnectionMonitor, reader: ConnectionMonitor): RedisStreamsConsumer {
    const s = this.settings;
    const settler = new StreamSettler(cmd.client, this.keys, s.group, s.idempotencyTtlMs);
    const attempts = new AttemptLedger(cmd.client, this.keys, s.group, s.consumer);
    const deadLetters = this.#deadLetters;
    const processor = new EntryProcessor({
      subscriptions: this.#subs, settler, deadLetters, attempts, counters: this.#counters, maxAttempts: s.maxAttempts,
      stream: this.keys.events, onUndecodable: this.#options.onUndecodable,
      runner: new HandlerRunner({ maxAttempts: s.maxAttempts, backoff: s.retryBackoff }, this.#hooks()),
      codec: () => this.#shell.codec, observer: () => this.#shell.observer, closing: () => this.#shell.closed,
    });
    return new RedisStreamsConsumer({
      keys: this.keys, options: s, reader, commands: cmd, settler, deadLetters, processor, attempts, counters: this.#counters,
      ownsGroup: this.#options.group === undefined,
      readyTimeoutMs: this.#options.readyTimeoutMs ?? 10_000,
    });
  }

  #hooks(): ConstructorParameters<typeof HandlerRunner>[1] {
    const c = this.#counters;
    return { started: () => void c.delivered++, failed: () => void c.handlerErrors++, retrying: () => void c.retries++ };
  }
}

/**
 * Creates a {@link RedisStreamsTransport}.
 *
 * @example
 * ```ts
 * const bus = createBus({ events, transport: redisStreams({ connection: { url: 'redis://127.0.0.1:6379' }, namespace: 'shop', group: 'billing' }) });
 * ```
 */
export function redisStreams(options: RedisStreamsOptions = {}): RedisStreamsTransport {
  return new RedisStreamsTransport(options);
}
