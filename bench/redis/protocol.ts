/** IPC messages between the benchmark and its Redis worker processes. */

/** Which side a worker plays. `raw-*` use ioredis directly; `bus-*` use dotbus transports. */
export type Role =
  | 'raw-pubsub-producer' | 'raw-pubsub-consumer' | 'bus-pubsub-producer' | 'bus-pubsub-consumer'
  | 'raw-streams-producer' | 'raw-streams-consumer' | 'bus-streams-producer' | 'bus-streams-consumer';

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
  /** Producer: publish `n` events, as fast as possible (`rate` 0) or at `rate` per second. */
  | { readonly cmd: 'produce'; readonly n: number; readonly rate: number }
  | { readonly cmd: 'exit' };

/** Worker → parent. */
export type Report =
  | { readonly kind: 'ready' }
  | { readonly kind: 'armed' }
  | { readonly kind: 'produced'; readonly n: number; readonly seconds: number }
  | { readonly kind: 'done'; readonly count: number; readonly seconds: number; readonly p50Us: number; readonly p99Us: number; readonly dropped: number }
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
