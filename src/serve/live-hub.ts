import { matchesPattern, type AnyBusEvent, type EventBus, type Subscription } from '../index.js';
import { ClientQueue } from './client-queue.js';
import { rowOf } from './event-row.js';

/** One browser connection of the live tail. */
export interface LiveClient {
  readonly pattern: string;
  readonly queue: ClientQueue;
}

/** Counters of the live tail. */
export interface LiveStats {
  /** Browser connections now. */
  readonly clients: number;
  /** Events the hub received. */
  readonly events: number;
  /** Rows skipped over all connections, because a browser did not keep up. */
  readonly skipped: number;
}

/**
 * Fans the bus's events out to the browsers: one subscription to every type, filtered per
 * connection on the server with `matchesPattern`, each event turned into JSON at most once.
 */
export class LiveHub {
  readonly #clients = new Set<LiveClient>();
  readonly #subscription: Subscription;
  readonly #capacity: number;
  #events = 0;
  #skippedGone = 0;

  constructor(bus: EventBus<AnyBusEvent>, capacity: number) {
    this.#capacity = capacity;
    this.#subscription = bus.subscribeUntyped('*', (event) => this.#fanOut(event));
  }

  /** Resolves once the transport confirmed the hub's subscription. */
  get ready(): Promise<void> {
    return this.#subscription.ready;
  }

  /** Adds a browser connection for `pattern` (already checked with `parsePattern`). */
  join(pattern: string): LiveClient {
    const client = { pattern, queue: new ClientQueue(this.#capacity) };
    this.#clients.add(client);
    return client;
  }

  leave(client: LiveClient): void {
    if (!this.#clients.delete(client)) return;
    this.#skippedGone += client.queue.skipped;
    client.queue.close();
  }

  stats(): LiveStats {
    let skipped = this.#skippedGone;
    for (const c of this.#clients) skipped += c.queue.skipped;
    return { clients: this.#clients.size, events: this.#events, skipped };
  }

  close(): void {
    this.#subscription.unsubscribe();
    for (const c of [...this.#clients]) this.leave(c);
  }

  #fanOut(event: AnyBusEvent): void {
    this.#events++;
    let json: string | undefined;
    for (const c of this.#clients) {
      if (!matchesPattern(c.pattern, event.eventType)) continue;
      json ??= JSON.stringify(rowOf(event));
      c.queue.push(json);
    }
  }
}
