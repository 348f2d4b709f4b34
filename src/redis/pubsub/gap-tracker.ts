import { InvalidOptionError } from '../../internal.js';

/** Options of a {@link GapTracker}. */
export interface GapTrackerOptions {
  /** Most producers remembered; the oldest is forgotten first (it gets a new baseline if it returns). @default 10_000 */
  readonly maxProducers?: number;
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
  /** Messages counted as lost, from gaps and heartbeats. */
  readonly lost: number;
  /** Messages counted as duplicates. */
  readonly duplicates: number;
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
 * producer restart has a new producer id, hence a new baseline. Memory is bounded by
 * `maxProducers` × the number of event types.
 *
 * Assumes one Redis server delivers the messages of one producer connection in order (true for
 * standalone and Sentinel). Where that does not hold, a late message counts once as lost and then
 * once as a duplicate: the totals stay right, its delivery is given up.
 */
export class GapTracker {
  readonly #maxProducers: number;
  readonly #last = new Map<string, Map<string, number>>();
  #recent: string | undefined;
  #lost = 0;
  #duplicates = 0;

  constructor(options: GapTrackerOptions = {}) {
    this.#maxProducers = options.maxProducers ?? 10_000;
    if (!Number.isInteger(this.#maxProducers) || this.#maxProducers < 1) {
      throw new InvalidOptionError('maxProducers', 'must be an integer ≥ 1');
    }
  }

  /** Records message `sequence` of `producerId` on `eventType`. */
  observe(producerId: string, eventType: string, sequence: number): Observation {
    const types = this.#typesOf(producerId);
    const last = types.get(eventType);
    if (last === undefined) {
      types.set(eventType, sequence);
      return BASELINE;
    }
    if (sequence <= last) {
      this.#duplicates++;
      return DUPLICATE;
    }
    types.set(eventType, sequence);
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
    const types = this.#typesOf(producerId);
    const last = types.get(eventType);
    if (last !== undefined && sequence <= last) return 0;
    types.set(eventType, sequence);
    if (last === undefined) return 0;
    const lost = sequence - last;
    this.#lost += lost;
    return lost;
  }

  /** Forgets the baselines of every event type for which `drop` says yes (e.g. no longer subscribed). */
  forget(drop: (eventType: string) => boolean): void {
    for (const [producer, types] of this.#last) {
      for (const type of types.keys()) if (drop(type)) types.delete(type);
      if (types.size === 0) this.#last.delete(producer);
    }
  }

  /** A snapshot of the counters. */
  stats(): GapTrackerStats {
    return { producers: this.#last.size, lost: this.#lost, duplicates: this.#duplicates };
  }

  /**
   * The baselines of `producerId`, kept in least-recently-seen order so that a stream of
   * short-lived producers (each CLI `publish` is one) evicts them, not a long-lived producer.
   */
  #typesOf(producerId: string): Map<string, number> {
    let types = this.#last.get(producerId);
    if (types === undefined) {
      if (this.#last.size >= this.#maxProducers) this.#last.delete(this.#last.keys().next().value!);
      types = new Map();
      this.#last.set(producerId, types);
    } else if (producerId !== this.#recent) {
      // Re-inserting moves it to the end; skipped for the producer seen last, the common case.
      this.#last.delete(producerId);
      this.#last.set(producerId, types);
    }
    this.#recent = producerId;
    return types;
  }
}
