import { Counter, Gauge, register as defaultRegistry } from 'prom-client';
import { InvalidOptionError } from '../internal.js';
import type { AnyRegistry } from './any-registry.js';
import { LabelLimiter, streamGroupSeries, type LabelLimiterOptions, type StreamGroupInfo, type StreamGroupSeries, type StreamGroupSource } from '../monitoring/index.js';

/** Options of {@link registerStreamMetrics}. */
export interface StreamMetricsOptions {
  /** Where the metrics go. @default prom-client's global registry */
  readonly registry?: AnyRegistry;
  /** Prefix of every metric name. @default 'dotbus_' */
  readonly prefix?: string;
  /** How long a scrape waits for Redis before it reports no stream series (and counts a read error), in ms. @default 2_000 */
  readonly timeoutMs?: number;
  /** Caps on the `group` label of named groups. @default `{ maxValuesPerLabel: 100, maxValueLength: 100 }` */
  readonly labels?: LabelLimiterOptions;
}

type Read = (s: StreamGroupSeries) => number | undefined;

const GAUGES: readonly { readonly name: string; readonly help: string; readonly read: Read }[] = [
  { name: 'stream_group_lag', help: 'Entries of the stream not yet delivered to the group (Redis 7 and later); broadcast-*: the largest', read: (s) => s.lag },
  { name: 'stream_group_pending', help: 'Entries delivered to a member of the group and not acknowledged', read: (s) => s.pending },
  { name: 'stream_group_oldest_pending_age_seconds', help: 'Age of the oldest pending entry of the group; broadcast-*: the oldest', read: (s) => (s.oldestPendingMs === undefined ? undefined : s.oldestPendingMs / 1000) },
  { name: 'stream_group_consumers', help: 'Members of the group', read: (s) => s.consumers },
  { name: 'stream_groups', help: 'Consumer groups the series stands for: 1 for a named group, every transport-owned group for broadcast-*', read: (s) => s.groups },
];
const ERRORS = 'stream_group_read_errors_total';

/**
 * Redis Streams consumer groups as Prometheus gauges, read from Redis at scrape time:
 * `dotbus_stream_group_lag`, `…_pending`, `…_oldest_pending_age_seconds`, `…_consumers` and
 * `dotbus_stream_groups`, by `namespace` and `group`.
 *
 * @remarks `source` is anything with `groupInfo()`, such as the Redis Streams transport of
 * `dotbus/redis`: this entry never loads ioredis. The groups a transport creates for itself (no
 * `group` option: random names, one per process) are folded into one `group="broadcast-*"`
 * series, named groups are capped like every label. A scrape during which Redis can't be asked
 * (down, `timeoutMs`, an ACL without `XINFO`/`XPENDING`/`TIME`) has no stream series and counts one
 * in `dotbus_stream_group_read_errors_total`; it never fails the scrape. One registration per
 * registry and prefix; pass several sources (namespaces) in one call.
 * @returns a function that removes the metrics
 * @throws {@link InvalidOptionError} when these metrics are registered on the registry with this prefix already.
 * @example
 * ```ts
 * const transport = redisStreams({ connection, namespace: 'shop', group: 'billing' });
 * registerStreamMetrics(transport); // dotbus_stream_group_lag{namespace="shop",group="billing"} …
 * ```
 */
export function registerStreamMetrics(source: StreamGroupSource | readonly StreamGroupSource[], options: StreamMetricsOptions = {}): () => void {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'dotbus_';
  const timeoutMs = options.timeoutMs ?? 2_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidOptionError('timeoutMs', `must be a positive number of ms, got ${String(timeoutMs)}`);
  const names = [...GAUGES.map((g) => g.name), ERRORS];
  const taken = names.find((n) => registry.getSingleMetric(prefix + n) !== undefined);
  if (taken !== undefined) {
    throw new InvalidOptionError('registry', `${prefix}${taken} is registered on it already: call the function the first registration returned, or pass another \`prefix\``);
  }
  const sources = Array.isArray(source) ? (source as readonly StreamGroupSource[]) : [source as StreamGroupSource];
  const labels = new LabelLimiter(options.labels);
  // One read serves a whole scrape: the registry starts every metric's collect at once, so they
  // share the read in flight; the next scrape reads again.
  let inFlight: Promise<StreamGroupSeries[]> | undefined;
  const read = (): Promise<StreamGroupSeries[]> => {
    if (inFlight !== undefined) return inFlight;
    // A source that throws instead of rejecting must not fail the scrape either.
    const infos = sources.map((s) => new Promise<readonly StreamGroupInfo[]>((resolve) => resolve(s.groupInfo())));
    const series = bounded(Promise.all(infos), timeoutMs).then(
      (lists) => streamGroupSeries(lists.flat(), labels),
      () => {
        errors.inc();
        return [];
      },
    );
    inFlight = series.finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  for (const spec of GAUGES) {
    new Gauge({
      name: prefix + spec.name, help: spec.help, labelNames: ['namespace', 'group'], registers: [registry],
      async collect() {
        const series = await read();
        this.reset();
        for (const s of series) {
          const v = spec.read(s);
          if (v !== undefined) this.set({ namespace: s.namespace, group: s.group }, v);
        }
      },
    });
  }
  // Collected after the reads it counts, so a scrape reports its own failure.
  const errors: Counter = new Counter({
    name: prefix + ERRORS, help: 'Scrapes that could not read the consumer groups from Redis', registers: [registry],
    async collect() {
      await read();
    },
  });
  return () => {
    for (const n of names) registry.removeSingleMetric(prefix + n);
  };
}

/** `promise`, or a rejection once `ms` passed. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
