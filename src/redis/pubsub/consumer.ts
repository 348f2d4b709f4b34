import { matchesPattern, type DecodeResult, type JsonCodec } from '../../index.js';
import { ConnectionError, DEFAULT_MAX_MESSAGE_BYTES, DecodeError, isBatch, parseWholeBatch, splitBatch, type BatchLimits, type DotbusError, type LocalDispatcher } from '../../internal.js';
import type { ChannelNames } from './channels.js';
import type { ConnectionMonitor } from '../connection-monitor.js';
import { GapTracker } from './gap-tracker.js';
import { decodeHeartbeat } from './heartbeat.js';
import type { DecodeErrorInfo } from './options.js';

/** What a {@link RedisPubSubConsumer} needs from its transport. */
export interface ConsumerContext {
  readonly names: ChannelNames;
  readonly dispatcher: LocalDispatcher;
  readonly maxProducers: number;
  readonly maxTrackedStreams: number;
  /** Bounds of a received batch message. */
  readonly batchLimits: BatchLimits;
  /** The codec of the bound registry (changes once, on `bind`). */
  codec(): JsonCodec;
  /** Reports a failure that has no caller to throw to. */
  report(error: DotbusError): void;
  readonly onDecodeError: ((info: DecodeErrorInfo) => void) | undefined;
  /** One glob per pattern, or the namespace's one glob (see `RedisPubSubOptions.subscribeTo`). */
  readonly subscribeTo: 'patterns' | 'namespace';
}

/** Counters of a {@link RedisPubSubConsumer}. */
export interface ConsumerStats {
  /** Messages received on event channels (before decoding; a batch message counts once). */
  readonly received: number;
  /** Messages that did not decode; in a batch message, each element that did not. */
  readonly decodeErrors: number;
  /** Events counted as lost from sequence gaps and heartbeats. */
  readonly lost: number;
  /** Re-sent copies dropped. */
  readonly duplicates: number;
  /** Heartbeats received. */
  readonly heartbeats: number;
  /** (producer id, event type) pairs whose sequence numbers are tracked now; at most `maxTrackedStreams`. */
  readonly trackedStreams: number;
  /**
   * Pairs forgotten to stay within `maxTrackedStreams` (or `maxProducers`), least recently seen
   * first. A forgotten pair restarts from a new baseline; a steady rise means more producers ×
   * types than the cap, or forged heartbeats.
   */
  readonly evictedStreams: number;
}

/**
 * The receiving half of the Redis Pub/Sub transport: one subscriber connection, one `PSUBSCRIBE`
 * per distinct glob, decoding, gap detection, and hand-off to the local dispatcher.
 *
 * @remarks Globs are reference-counted: `a.*` and `a.+` share `ns:a.*`; the last pattern of a glob
 * sends `PUNSUBSCRIBE`. After a reconnect it resubscribes every glob exactly once itself (ioredis's
 * `autoResubscribe` is off: it would miss globs added while disconnected, because the offline queue
 * is off, and restore globs removed meanwhile).
 */
export class RedisPubSubConsumer {
  readonly #monitor: ConnectionMonitor;
  readonly #ctx: ConsumerContext;
  readonly #tracker: GapTracker;
  readonly #globRefs = new Map<string, number>();
  readonly #globOfPattern = new Map<string, string>();
  readonly #confirmed = new Set<string>();
  readonly #waiters = new Set<() => void>();
  #heartbeatConfirmed = false;
  #lastChannel = '';
  #lastMessage: Buffer | undefined;
  /** The glob the previous message came through first, and the ones its copies came through. */
  #lastGlob = '';
  readonly #copyGlobs: string[] = [];
  #epoch = 0;
  /** Subscribe commands sent and not answered yet. */
  #unanswered = 0;
  #started = false;
  #received = 0;
  #decodeErrors = 0;
  #heartbeats = 0;

  constructor(monitor: ConnectionMonitor, context: ConsumerContext) {
    this.#monitor = monitor;
    this.#ctx = context;
    this.#tracker = new GapTracker({ maxProducers: context.maxProducers, maxTrackedStreams: context.maxTrackedStreams });
    const client = monitor.client;
    client.on('ready', () => this.#resubscribe());
    client.on('close', () => this.#lost());
    // ioredis hands the glob over as a string already; channel and message stay bytes, so that
    // `onDecodeError` gets a message exactly as received.
    client.on('pmessageBuffer', (glob: string, channel: Buffer, message: Buffer) => {
      const name = channel.toString();
      if (!this.#isCopy(glob, name, message)) this.#onMessage(name, message);
    });
    client.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#onHeartbeat(channel.toString(), message));
  }

  /** Whether the subscriber connection was opened (only once something subscribed). */
  get started(): boolean {
    return this.#started;
  }

  /** Opens the subscriber connection. Idempotent. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#monitor.client.connect().catch(() => {
      // Failures surface through the monitor (status, health events, ready()).
    });
  }

  /** The dispatcher's first subscription of `pattern` arrived. */
  patternAdded(pattern: string): void {
    const names = this.#ctx.names;
    const glob = this.#ctx.subscribeTo === 'namespace' ? names.namespaceGlob : names.globOf(pattern);
    this.#globOfPattern.set(pattern, glob);
    const refs = this.#globRefs.get(glob) ?? 0;
    this.#globRefs.set(glob, refs + 1);
    this.start();
    if (refs === 0) this.#psubscribe(glob);
  }

  /** The dispatcher's last subscription of `pattern` left. */
  patternRemoved(pattern: string): void {
    const glob = this.#globOfPattern.get(pattern);
    if (glob === undefined) return;
    this.#globOfPattern.delete(pattern);
    const refs = (this.#globRefs.get(glob) ?? 1) - 1;
    if (refs > 0) this.#globRefs.set(glob, refs);
    else {
      this.#globRefs.delete(glob);
      this.#confirmed.delete(glob);
      if (this.#monitor.client.status === 'ready') this.#monitor.client.punsubscribe(glob).catch(() => {});
    }
    // A type nobody listens to any more must not count what it missed as lost when someone listens again.
    const dispatcher = this.#ctx.dispatcher;
    this.#tracker.forget((type) => !dispatcher.hasSubscribers(type));
  }

  /** Resolves once connected and every current glob and the heartbeat channel are confirmed. */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.#started) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Let every subscribe in flight be answered first: a refusal then names all that is missing.
      while (this.#unanswered > 0 && Date.now() < deadline) await this.#changed(deadline - Date.now());
      await this.#monitor.waitUp(Math.max(1, deadline - Date.now()));
      if (this.#allConfirmed()) return;
      if (Date.now() >= deadline) {
        throw new ConnectionError(`Redis did not confirm the subscriptions within ${timeoutMs} ms; check the ACL channel permissions (&pattern) of this user`);
      }
      await this.#changed(deadline - Date.now());
    }
  }

  /** Stops receiving and closes the connection. */
  async close(): Promise<void> {
    if (!this.#started) return;
    const client = this.#monitor.client;
    this.#monitor.closing();
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  /** A snapshot of the counters. */
  stats(): ConsumerStats {
    const t = this.#tracker.stats();
    return {
      received: this.#received,
      decodeErrors: this.#decodeErrors,
      lost: t.lost,
      duplicates: t.duplicates,
      heartbeats: this.#heartbeats,
      trackedStreams: t.streams,
      evictedStreams: t.evicted,
    };
  }

  #psubscribe(glob: string): void {
    const client = this.#monitor.client;
    if (client.status !== 'ready') return; // sent by #resubscribe once connected
    const epoch = this.#epoch;
    this.#unanswered++;
    client.psubscribe(glob).then(
      () => {
        this.#unanswered--;
        if (epoch === this.#epoch && this.#globRefs.has(glob)) this.#confirmed.add(glob);
        this.#notify();
      },
      () => this.#refused(),
    );
  }

  /**
   * A subscribe command failed. A broken connection: #resubscribe sends it again after the
   * reconnect. A refusal (NOPERM) took the monitor down: once every subscribe sent with it has an
   * answer (so the error names every channel to grant), waking the waiters lets ready() report it
   * now rather than at its timeout.
   */
  #refused(): void {
    this.#unanswered--;
    if (this.#unanswered === 0) this.#notify();
  }

  #resubscribe(): void {
    const client = this.#monitor.client;
    const epoch = this.#epoch;
    this.#unanswered++;
    client.subscribe(this.#ctx.names.heartbeat).then(
      () => {
        this.#unanswered--;
        if (epoch === this.#epoch) this.#heartbeatConfirmed = true;
        this.#notify();
      },
      () => this.#refused(),
    );
    for (const glob of this.#globRefs.keys()) this.#psubscribe(glob);
  }

  #lost(): void {
    this.#epoch++;
    this.#confirmed.clear();
    this.#heartbeatConfirmed = false;
  }

  /**
   * Whether this `pmessage` is another copy of the previous one. Redis sends one `pmessage` per
   * matching glob (`ns:*.error.*` and `ns:validation.*` both match `validation.error.occurred`), all
   * at once while it runs that one PUBLISH: so a copy is the same channel and bytes as the
   * previous message, through a glob not seen yet for it.
   */
  #isCopy(glob: string, channel: string, message: Buffer): boolean {
    const copies = this.#copyGlobs;
    // The common case, one glob: the same glob again is always a new PUBLISH, so no bytes are
    // compared and nothing is allocated.
    if (channel === this.#lastChannel && glob !== this.#lastGlob && !copies.includes(glob) && this.#lastMessage?.equals(message) === true) {
      copies.push(glob);
      return true;
    }
    this.#lastChannel = channel;
    this.#lastMessage = message;
    this.#lastGlob = glob;
    if (copies.length > 0) copies.length = 0;
    return false;
  }

  #onMessage(channel: string, raw: Buffer): void {
    // The namespace's one glob brings every type; one nobody here listens to is not this
    // consumer's business (and may be unknown to its registry), so it is never decoded.
    if (this.#ctx.subscribeTo === 'namespace' && !this.#ctx.dispatcher.hasSubscribers(this.#ctx.names.typeOf(channel) ?? '')) return;
    this.#received++;
    if (raw[0] === 0x5b || (raw[0] !== 0x7b && isBatch(raw))) return this.#onBatch(channel, raw);
    const error = this.#deliver(channel, this.#ctx.codec().decode(raw));
    if (error !== undefined) this.#decodeFailed(raw, channel, error);
  }

  /**
   * A CloudEvents batch: refused as a whole only when it breaks its bounds or is not one JSON
   * array; otherwise each element is decoded, checked and delivered (or reported) on its own,
   * with its own producer stamp for gap detection.
   *
   * @remarks A clean batch is parsed in one pass and its elements checked as parsed envelopes;
   * anything else, and every batch under signature verification (which checks each element's
   * text), is cut into element texts and each decoded as a message of its own.
   */
  #onBatch(channel: string, raw: Buffer): void {
    const codec = this.#ctx.codec();
    const limits = this.#ctx.batchLimits;
    // An element must also fit the codec's own bound, which the element-by-element path checks.
    const maxMessageBytes = Math.min(limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, codec.maxMessageBytes);
    const values = codec.verifies ? undefined : parseWholeBatch(raw, { maxEvents: limits.maxEvents, maxMessageBytes });
    if (values !== undefined) {
      let texts: readonly string[] | undefined;
      for (let i = 0; i < values.length; i++) {
        const error = this.#deliver(channel, codec.fromWire(values[i]));
        if (error === undefined) continue;
        // A failed element is reported with its text, as the other path reports it.
        const split = (texts ??= elementsOf(raw, limits));
        this.#decodeFailed(split[i] ?? '', channel, error, i);
      }
      return;
    }
    const split = splitBatch(raw, limits);
    if (!split.ok) return this.#decodeFailed(raw, channel, split.error);
    const elements = split.elements;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      const error = this.#deliver(channel, codec.decode(element));
      if (error !== undefined) this.#decodeFailed(element, channel, error, i);
    }
  }

  /** Delivers a decoded event, or returns why it can't be (the caller reports it with its text). */
  #deliver(channel: string, result: DecodeResult): DecodeError | undefined {
    if (!result.ok) return result.error;
    const event = result.event;
    if (this.#ctx.names.channelOf(event.eventType) !== channel) {
      // Routing by a type the channel doesn't carry would let anyone allowed on one channel inject any type.
      return new DecodeError('not-a-cloudevent', `type ${JSON.stringify(event.eventType)} arrived on channel ${JSON.stringify(channel)}`);
    }
    const dispatcher = this.#ctx.dispatcher;
    // Under verification only a signed stamp is trusted: an unsigned one could claim any sequence.
    const trusted = result.keyId !== undefined || !this.#ctx.codec().verifies;
    if (result.stamp !== undefined && trusted && dispatcher.hasSubscribers(event.eventType)) {
      const seen = this.#tracker.observe(result.stamp.producerId, event.eventType, result.stamp.sequence);
      if (seen.kind === 'duplicate') return undefined;
      if (seen.kind === 'gap') dispatcher.countDrop('lost', seen.lost, event.eventType, event);
    }
    try {
      // A full `wait` queue can't push back on Redis; `wait` is refused at subscribe time.
      void dispatcher.dispatch(event);
    } catch {
      // A full `reject` queue: the dispatcher counted it.
    }
    // Handled before the next message of this read is decoded: a burst streams through.
    dispatcher.runReady();
    return undefined;
  }

  #onHeartbeat(channel: string, raw: Buffer): void {
    if (channel !== this.#ctx.names.heartbeat) return;
    const codec = this.#ctx.codec();
    const heartbeat = decodeHeartbeat(raw, codec.security);
    if (heartbeat instanceof DecodeError) return this.#decodeFailed(raw, channel, heartbeat);
    // Under verification only a signed heartbeat is trusted: an unsigned one could forge losses.
    if (codec.verifies && heartbeat.keyId === undefined) return;
    this.#heartbeats++;
    for (const [type, sequence] of heartbeat.sequences) {
      if (!this.#covers(type)) continue;
      const lost = this.#tracker.heartbeat(heartbeat.producerId, type, sequence);
      if (lost > 0) this.#ctx.dispatcher.countDrop('lost', lost, type);
    }
  }

  /** Whether a confirmed glob of a pattern that matches `type` exactly is in place (so a gap is a real loss). */
  #covers(type: string): boolean {
    for (const [pattern, glob] of this.#globOfPattern) {
      if (this.#confirmed.has(glob) && matchesPattern(pattern, type)) return true;
    }
    return false;
  }

  #decodeFailed(raw: Buffer | string, channel: string, error: DecodeError, batchIndex?: number): void {
    this.#decodeErrors++;
    this.#ctx.report(error);
    try {
      this.#ctx.onDecodeError?.(batchIndex === undefined ? { raw, channel, error } : { raw, channel, error, batchIndex });
    } catch {
      // A dead-letter hook that throws must not stop the consumer.
    }
  }

  #allConfirmed(): boolean {
    if (!this.#heartbeatConfirmed) return false;
    for (const glob of this.#globRefs.keys()) if (!this.#confirmed.has(glob)) return false;
    return true;
  }

  #changed(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, timeoutMs));
      this.#waiters.add(done);
    });
  }

  #notify(): void {
    for (const done of [...this.#waiters]) done();
  }
}

/** The element texts of a batch that parsed whole (so splits cleanly too). */
function elementsOf(raw: Buffer, limits: BatchLimits): readonly string[] {
  const split = splitBatch(raw, limits);
  return split.ok ? split.elements : [];
}
