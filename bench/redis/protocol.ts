/** IPC messages between the benchmark and its Redis worker processes. */

/**
 * Who a worker is: `raw` (ioredis, payloads encoded beforehand, never parsed on receipt), `hand`
 * (ioredis, what a user would write by hand: each envelope built and stringified, each message
 * parsed), `bus` (dotbus), `batch` (dotbus with batch mode on; its consumer is a plain dotbus one).
 */
export type Side = 'raw' | 'hand' | 'bus' | 'batch';

/** Which side a worker plays, over which Redis mechanism, as producer or consumer. */
export type Role = `${Side}-${'pubsub' | 'streams'}-${'producer' | 'consumer'}`;

/** Memory and CPU figures of one run of a worker. */
export interface MemoryFigures {
  /** CPU time (user + system) the process used during the run, in µs: unlike wall time, barely moved by other tenants. */
  readonly cpuMicros: number;
  /** Resident set size at the end of the run, in bytes. */
  readonly rssBytes: number;
  /** Bytes allocated on the V8 heap during the run (heap growth plus what every GC freed). */
  readonly allocatedBytes: number;
}

/** What a worker is started with, as JSON in `BENCH_WORKER`. */
export interface WorkerConfig {
  readonly role: Role;
  readonly url: string;
  readonly namespace: string;
}

/** Parent → worker. */
export type Command =
  /** Consumer: reset, count the next `n` events; with `latency`, record publish→handler latency. */
  | { readonly cmd: 'expect'; readonly n: number; readonly latency: boolean }
  /**
   * Producer: publish `n` events, as fast as possible (`rate` 0) or at `rate` per second. With
   * `build`, a dotbus producer creates each event from its data as it publishes it (`emit`), as a
   * hand-written one builds each envelope; otherwise it publishes events built beforehand.
   */
  | { readonly cmd: 'produce'; readonly n: number; readonly rate: number; readonly build: boolean }
  | { readonly cmd: 'exit' };

/** Worker → parent. */
export type Report =
  | { readonly kind: 'ready' }
  | { readonly kind: 'armed' }
  | ({ readonly kind: 'produced'; readonly n: number; readonly seconds: number } & MemoryFigures)
  | ({ readonly kind: 'done'; readonly count: number; readonly seconds: number; readonly latenciesUs: readonly number[]; readonly dropped: number } & MemoryFigures)
  | { readonly kind: 'error'; readonly message: string };

/** Field names of a dotbus stream entry (`t` = event type, `m` = message), mirrored by the raw baseline. */
export const STREAM_FIELDS = { type: 't', message: 'm' } as const;

/** The raw baseline's stream key, consumer group and trim length; dotbus uses the same trim. */
export const RAW_STREAM_KEY = 'rawbench:events';
export const STREAM_GROUP = 'bench';

/** Microseconds on the machine-wide monotonic clock (CLOCK_MONOTONIC), comparable across processes. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
