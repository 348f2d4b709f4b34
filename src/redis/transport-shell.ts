import { randomUUID } from 'node:crypto';
import {
  BUILT_IN_EVENTS,
  EventRegistry,
  JsonCodec,
  SystemHealthEvent,
  type AnyEventDefinition,
  type BusEvent,
  type BusObserver,
  type DropReason,
  type PublishReceipt,
  type TransportContext,
} from '../index.js';
import { InvalidOptionError, NOOP_OBSERVER, producerIdIssue, TransportClosedError, type DotbusError } from '../internal.js';
import { ConnectionMonitor, type ConnectionStatus } from './connection-monitor.js';
import { openConnection, userOf, type ConnectionExtras, type RedisConnectionOptions } from './connection.js';

/** How a transport decodes before (and after) `bind`. */
export interface ShellCodecOptions {
  /** Largest message accepted, in bytes. @default the codec's */
  readonly maxMessageBytes?: number | undefined;
  /** Definitions known before `bind` (besides the built-in events). */
  readonly events?: readonly AnyEventDefinition[] | undefined;
}

/** The publishing half of a Redis transport, as the shell drives it. */
export interface RedisProducer {
  /** Connects (lazily, on first use) and starts the producer's timers. Idempotent. */
  start(): void;
  publish(event: BusEvent): Promise<PublishReceipt>;
  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]>;
}

/**
 * What the two Redis transports share around their producer and consumer: the two connections
 * and their combined status, `system.health.*` events, the closed flag, and reporting to the
 * bus's observer in a way that can never break the transport.
 *
 * @remarks Composed, not inherited: each transport owns one shell and delegates to it. The first
 * connection serves publishing, the second only receiving, so it counts toward {@link status}
 * only once the consumer has started.
 */
export class RedisTransportShell {
  /** Where failures and drops go; the bus's observer once bound. */
  observer: BusObserver = NOOP_OBSERVER;
  /** The codec: the built-in events (and `events`) until `bind`, then the bus's registry. */
  codec: JsonCodec;
  #closed = false;
  #producer: RedisProducer | undefined;
  readonly #monitors: ConnectionMonitor[] = [];
  readonly #user: string;

  /**
   * @param name the transport's name, e.g. `redis-pubsub`
   * @param connection how to reach Redis
   * @param publishLocal where health events go: the transport's local delivery
   * @param codecOptions how to decode
   */
  constructor(
    readonly name: string,
    private readonly connection: RedisConnectionOptions,
    private readonly publishLocal: (event: BusEvent) => void,
    private readonly codecOptions: ShellCodecOptions = {},
  ) {
    this.#user = userOf(connection);
    this.codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, ...(codecOptions.events ?? [])]), { maxMessageBytes: codecOptions.maxMessageBytes });
  }

  /** Opens (lazily) the connection for `role`, followed by a monitor that reports its health. */
  open(role: string, clientRole: string, extras: ConnectionExtras = {}): ConnectionMonitor {
    const monitor = new ConnectionMonitor(openConnection(this.connection, clientRole, extras), role, this.#user, (status, detail, attempt) => {
      if (status === 'connecting' || status === 'closed' || this.#closed) return;
      const component = `${this.name}/${role}`;
      this.publishLocal(SystemHealthEvent.create(`system.health.${status}`, { component, status, detail, attempt }, { source: `/dotbus/${this.name}` }));
    });
    this.#monitors.push(monitor);
    return monitor;
  }

  /** Sets the producer that {@link publish} and {@link publishBatch} hand events to. */
  useProducer(producer: RedisProducer): void {
    this.#producer = producer;
  }

  /**
   * The transport's `publish`: refused after `close()`, otherwise handed to the producer, which
   * connects on first use.
   */
  publish(event: BusEvent): Promise<PublishReceipt> {
    if (this.#closed || this.#producer === undefined) return Promise.reject(this.closedError());
    this.#producer.start();
    return this.#producer.publish(event);
  }

  /** The transport's `publishBatch`, like {@link publish}. */
  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    if (this.#closed || this.#producer === undefined) return Promise.reject(this.closedError());
    this.#producer.start();
    return this.#producer.publishBatch(events);
  }

  /** Whether `close()` has begun. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Marks the transport closed; `false` if it already was (so `close()` stays idempotent). */
  markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }

  /** The error every call after `close()` gets. */
  closedError(): TransportClosedError {
    return new TransportClosedError(this.name);
  }

  /** Takes the bus's registry and observer (unless it is the no-op one). */
  bind(context: TransportContext): void {
    this.codec = new JsonCodec(context.registry, { maxMessageBytes: this.codecOptions.maxMessageBytes, untyped: context.untyped, security: context.security });
    if (context.observer !== NOOP_OBSERVER) this.observer = context.observer;
  }

  /** The worst state of the publishing connection and, once `receiving`, the receiving one. */
  status(receiving: boolean): ConnectionStatus {
    if (this.#closed) return 'closed';
    const states = (receiving ? this.#monitors : this.#monitors.slice(0, 1)).map((m) => m.status);
    for (const s of ['down', 'reconnecting', 'connecting'] as const) if (states.includes(s)) return s;
    return 'up';
  }

  /** Resolves once the publishing connection is up; rejects with the reason after `timeoutMs`. */
  waitUp(timeoutMs: number): Promise<void> {
    return this.#monitors[0]!.waitUp(timeoutMs);
  }

  /** Reconnects of all connections together. */
  get reconnects(): number {
    return this.#monitors.reduce((n, m) => n + m.reconnects, 0);
  }

  /** Reports `error` to the observer; an observer that throws must not stop the transport. */
  report(error: DotbusError, event?: BusEvent): void {
    try {
      this.observer.error(error, event);
    } catch {
      // Nowhere left to report it.
    }
  }

  /** Reports counted drops to the observer, like {@link report}. */
  dropped(reason: DropReason, count: number, eventType?: string): void {
    try {
      this.observer.dropped(reason, count, eventType);
    } catch {
      // See report().
    }
  }
}

/** `promise`, marked handled: a caller who never awaits it gets no unhandled rejection; one who does still sees it. */
export function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * The producer id a transport stamps on its events: `given`, or a random UUID.
 * @throws {@link InvalidOptionError} for an id consumers would refuse (empty, over 200 characters, control or bidi characters).
 */
export function producerIdOf(given: string | undefined): string {
  const id = given ?? randomUUID();
  const issue = producerIdIssue(id);
  if (issue !== undefined) throw new InvalidOptionError('producerId', `${issue} (consumers refuse such ids)`);
  return id;
}
