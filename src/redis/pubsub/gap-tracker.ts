import { InvalidOptionError } from '../../internal.js';

/** Options of a {@link GapTracker}. */
export interface GapTrackerOptions {
  /** Most producers remembered; the one seen least recently is forgotten first (it gets a new baseline if it returns). @default 10_000 */
  readonly maxProducers?: number;
  /**
   * Most (producer id, event type) pairs remembered, all producers together: the hard cap on the
   * tracker's memory, 150–350 bytes a pair (14–34 MB at the default, full, depending on the
   * lengths of types and producer ids). The pair seen least recently is forgotten first and
   * counted in `evicted`. @default 100_000
   */
  readonly maxTrackedStreams?: number;
}

/** What {@link GapTracker.observe} concluded about one message. */
export type Observation =
  /** The first message of this producer and type: it sets the baseline. */
  | { readonly kind: 'baseline' }
  /** The expected next one. */
  | { readonly kind: 'next' }
  /** `lost` messages before it never arrived. */
  | { readonly kind: 'gap'; readonly lost: number }
  /** Seen already (or older than what was seen): drop it. */
  | { readonly kind: 'duplicate' };

/** Counters of a {@link GapTracker}. */
export interface GapTrackerStats {
  /** Producers remembered now. */
  readonly producers: number;
  /** (producer id, event type) pairs remembered now; at most `maxTrackedStreams`. */
  readonly streams: number;
  /** Messages counted as lost, from gaps and heartbeats. */
  readonly lost: number;
  /** Messages counted as duplicates. */
  readonly duplicates: number;
  /** Pairs forgotten to stay within `maxTrackedStreams` or `maxProducers` (not those `forget` dropped). */
  readonly evicted: number;
}

/** An entry of a {@link RecencyList}. */
interface Linked<T> {
  older: T | undefined;
  newer: T | undefined;
}

/** A producer and its streams. */
interface Producer extends Linked<Producer> {
  readonly id: string;
  readonly streams: Map<string, Stream>;
}

/** The sequence of one producer on one event type. */
interface Stream extends Linked<Stream> {
  readonly producer: Producer;
  readonly eventType: string;
  last: number;
}

/**
 * Entries from least to most recently seen, as a doubly linked list: O(1) to move one to the
 * newest end and to take the oldest. (A `Map` or `Set` in insertion order is not: deleting its
 * first entry leaves a hole that every later `keys().next()` walks over until the next rehash,
 * which made eviction quadratic.)
 */
class RecencyList<T extends Linked<T>> {
  #oldest: T | undefined;
  #newest: T | undefined;

  get oldest(): T | undefined {
    return this.#oldest;
  }

  append(node: T): void {
    node.older = this.#newest;
    node.newer = undefined;
    if (this.#newest === undefined) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
  }

  remove(node: T): void {
    if (node.older === undefined) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.#newest = node.older;
    else node.newer.older = node.older;
    node.older = node.newer = undefined;
  }

  /** Marks `node` as seen now. */
  touch(node: T): void {
    if (node === this.#newest) return;
    this.remove(node);
    this.append(node);
  }
}

const BASELINE: Observation = Object.freeze({ kind: 'baseline' });
const NEXT: Observation = Object.freeze({ kind: 'next' });
const DUPLICATE: Observation = Object.freeze({ kind: 'duplicate' });

/**
 * Detects lost and duplicated messages from producer stamps (DESIGN §6).
 *
 * @remarks Sequences are per (producer id, event type), because a consumer only receives the
 * channels it subscribes to. The first message (or heartbeat) of a pair sets the baseline; a
 * jump counts the skipped numbers as lost; a number at or below the last one is a duplicate. A
 * producer restart has a new producer id, hence a new baseline.
 *
 * Memory has a hard cap: at most `maxTrackedStreams` pairs, whatever arrives (forged heartbeats
 * listing thousands of types under a new producer id each, events under endless producer ids).
 * Past it the pair seen least recently is forgotten, exactly (one list of all pairs in the order
 * they were last seen, O(1) per message); a forgotten pair that comes back gets a new baseline, so a gap across the
 * forgetting is not counted. A live producer is seen at least once a heartbeat, so only a flood of
 * more new pairs than the cap within one heartbeat interval pushes it out; `evicted` shows it.
 *
 * Assumes one Redis server delivers the messages of one producer connection in order (true for
 * standalone and Sentinel). Where that does not hold, a late message counts once as lost and then
 * once as a duplicate: the totals stay right, its delivery is given up.
 */
export class GapTracker {
  readonly #maxProducers: number;
  readonly #maxStreams: number;
  readonly #producers = new Map<string, Producer>();
  readonly #producerOrder = new RecencyList<Producer>();
  readonly #streamOrder = new RecencyList<Stream>();
  #streams = 0;
  #lost = 0;
  #duplicates = 0;
  #evicted = 0;

  constructor(options: GapTrackerOptions = {}) {
    this.#maxProducers = positiveInteger('maxProducers', options.maxProducers ?? 10_000);
    this.#maxStreams = positiveInteger('maxTrackedStreams', options.maxTrackedStreams ?? 100_000);
  }

  /** Records message `sequence` of `producerId` on `eventType`. */
  observe(producerId: string, eventType: string, sequence: number): Observation {
    const stream = this.#find(producerId, eventType);
    if (stream === undefined) {
      this.#add(producerId, eventType, sequence);
      return BASELINE;
    }
    const last = stream.last;
    if (sequence <= last) {
      this.#duplicates++;
      return DUPLICATE;
    }
    stream.last = sequence;
    if (sequence === last + 1) return NEXT;
    const lost = sequence - last - 1;
    this.#lost += lost;
    return { kind: 'gap', lost };
  }

  /**
   * Records a heartbeat saying `producerId` has sent up to `sequence` on `eventType`; returns how
   * many of those never arrived (a gap at the tail). A heartbeat without a baseline sets one.
   */
  heartbeat(producerId: string, eventType: string, sequence: number): number {
    const stream = this.#find(producerId, eventType);
    if (stream === undefined) {
      this.#add(producerId, eventType, sequence);
      return 0;
    }
    if (sequence <= stream.last) return 0;
    const lost = sequence - stream.last;
    stream.last = sequence;
    this.#lost += lost;
    return lost;
  }

  /** Forgets the baselines of every event type for which `drop` says yes (e.g. no longer subscribed). */
  forget(drop: (eventType: string) => boolean): void {
    for (const producer of this.#producers.values()) {
      for (const stream of producer.streams.values()) if (drop(stream.eventType)) this.#removeStream(stream);
    }
  }

  /** A snapshot of the counters. */
  stats(): GapTrackerStats {
    return { producers: this.#producers.size, streams: this.#streams, lost: this.#lost, duplicates: this.#duplicates, evicted: this.#evicted };
  }

  /** The stream of the pair, marked as seen now, or `undefined` if it is not remembered. */
  #find(producerId: string, eventType: string): Stream | undefined {
    const stream = this.#producers.get(producerId)?.streams.get(eventType);
    if (stream === undefined) return undefined;
    this.#producerOrder.touch(stream.producer);
    this.#streamOrder.touch(stream);
    return stream;
  }

  /** Remembers a new pair, forgetting the least recently seen ones past either cap. */
  #add(producerId: string, eventType: string, sequence: number): void {
    let producer = this.#producers.get(producerId);
    if (producer === undefined) {
      if (this.#producers.size >= this.#maxProducers) this.#evictProducer(this.#producerOrder.oldest!);
      producer = { id: producerId, streams: new Map(), older: undefined, newer: undefined };
      this.#producers.set(producerId, producer);
      this.#producerOrder.append(producer);
    } else this.#producerOrder.touch(producer);
    const stream: Stream = { producer, eventType, last: sequence, older: undefined, newer: undefined };
    producer.streams.set(eventType, stream);
    this.#streamOrder.append(stream);
    this.#streams++;
    // The new stream is the newest, so with a cap ≥ 1 it is never the one evicted.
    if (this.#streams > this.#maxStreams) {
      this.#removeStream(this.#streamOrder.oldest!);
      this.#evicted++;
    }
  }

  #removeStream(stream: Stream): void {
    const producer = stream.producer;
    producer.streams.delete(stream.eventType);
    this.#streamOrder.remove(stream);
    this.#streams--;
    if (producer.streams.size === 0) {
      this.#producers.delete(producer.id);
      this.#producerOrder.remove(producer);
    }
  }

  #evictProducer(producer: Producer): void {
    for (const stream of producer.streams.values()) this.#streamOrder.remove(stream);
    this.#streams -= producer.streams.size;
    this.#evicted += producer.streams.size;
    this.#producers.delete(producer.id);
    this.#producerOrder.remove(producer);
  }
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(option, 'must be an integer ≥ 1');
  return value;
}
