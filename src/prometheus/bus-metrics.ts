import { Counter, Gauge, register as defaultRegistry } from 'prom-client';
import type { DropReason, StatsSource, TransportStats } from '../index.js';
import type { AnyRegistry } from './any-registry.js';

/** Options of {@link registerBusMetrics}. */
export interface BusMetricsOptions {
  /** Where the metrics go. @default prom-client's global registry */
  readonly registry?: AnyRegistry;
  /** Prefix of every metric name. @default 'dotbus_' */
  readonly prefix?: string;
  /** Value of the `bus` label, to tell several buses of one process apart. @default 'default' */
  readonly bus?: string;
}

type Stats = Readonly<Record<string, unknown>>;
type Read = (stats: Stats) => number | undefined;

/** One metric: its name (after the prefix), help, kind and how to read it from `stats()`. */
interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly kind: 'counter' | 'gauge';
  readonly read: Read;
}

const at = (key: string): Read => (s) => (typeof s[key] === 'number' ? (s[key] as number) : undefined);

const METRICS: readonly MetricSpec[] = [
  { name: 'events_published_total', kind: 'counter', read: at('published'), help: 'Events accepted by publish (or received from the broker)' },
  { name: 'events_delivered_total', kind: 'counter', read: at('delivered'), help: 'Handler calls started' },
  { name: 'handler_errors_total', kind: 'counter', read: at('handlerErrors'), help: 'Handler calls that threw or rejected' },
  { name: 'events_unrouted_total', kind: 'counter', read: at('unrouted'), help: 'Events no subscription matched' },
  { name: 'publish_failed_total', kind: 'counter', read: (s) => at('failed')((s['publisher'] ?? {}) as Stats), help: 'Publishes that failed and went to onError (bus publisher)' },
  { name: 'queue_depth', kind: 'gauge', read: at('queued'), help: 'Events waiting in subscription queues' },
  { name: 'handlers_in_flight', kind: 'gauge', read: at('inFlight'), help: 'Handler calls running now' },
  // Counters some transports add on top of TransportStats, exported when present.
  { name: 'lost_total', kind: 'counter', read: at('lost'), help: 'Events counted as lost between processes (sequence gaps)' },
  { name: 'duplicates_total', kind: 'counter', read: at('duplicates'), help: 'Re-sent copies of events dropped by consumers' },
  { name: 'decode_errors_total', kind: 'counter', read: at('decodeErrors'), help: 'Messages on dotbus channels that could not be decoded' },
  { name: 'reconnects_total', kind: 'counter', read: at('reconnects'), help: 'Times a broker connection came back' },
  { name: 'retries_total', kind: 'counter', read: at('retries'), help: 'Handler retries (Streams)' },
  { name: 'dead_lettered_total', kind: 'counter', read: at('deadLettered'), help: 'Entries moved to the dead-letter stream (Streams)' },
  { name: 'acked_total', kind: 'counter', read: at('acked'), help: 'Entries acknowledged (Streams)' },
  { name: 'claimed_total', kind: 'counter', read: at('claimed'), help: 'Pending entries claimed from dead members (Streams)' },
  { name: 'buffered', kind: 'gauge', read: at('buffered'), help: 'Events waiting in the outage buffer while the broker is unreachable' },
  { name: 'unacknowledged', kind: 'gauge', read: at('unacknowledged'), help: 'Commands written to the broker and not yet acknowledged' },
];

/** The buses registered on one (registry, prefix): the metrics read all of them at scrape time. */
const sets = new WeakMap<AnyRegistry, Map<string, Map<string, StatsSource>>>();

/**
 * Exposes a bus's (or transport's) counters as Prometheus metrics, read from `stats()` at scrape
 * time: nothing runs on the publish or dispatch path. Several buses share one set of metrics,
 * told apart by the `bus` label.
 *
 * @returns a function that removes this bus's series (and the metrics with the last bus)
 * @example
 * ```ts
 * const unregister = registerBusMetrics(bus, { bus: 'orders' });
 * // GET /metrics → await register.metrics()
 * ```
 */
export function registerBusMetrics(source: StatsSource, options: BusMetricsOptions = {}): () => void {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'dotbus_';
  const name = options.bus ?? 'default';
  const byPrefix = sets.get(registry) ?? new Map<string, Map<string, StatsSource>>();
  sets.set(registry, byPrefix);
  let buses = byPrefix.get(prefix);
  if (buses === undefined) {
    buses = new Map();
    byPrefix.set(prefix, buses);
    createMetrics(registry, prefix, buses);
  }
  buses.set(name, source);
  const own = buses;
  return () => {
    if (own.get(name) !== source) return;
    own.delete(name);
    if (own.size > 0) return;
    byPrefix.delete(prefix);
    for (const spec of METRICS) registry.removeSingleMetric(prefix + spec.name);
    registry.removeSingleMetric(`${prefix}events_dropped_total`);
  };
}

function createMetrics(registry: AnyRegistry, prefix: string, buses: ReadonlyMap<string, StatsSource>): void {
  const snapshot = (): [string, Stats][] => [...buses].map(([bus, source]) => [bus, source.stats() as unknown as Stats]);
  for (const spec of METRICS) {
    const config = { name: prefix + spec.name, help: spec.help, labelNames: ['bus'], registers: [registry] };
    if (spec.kind === 'counter') {
      new Counter({
        ...config,
        collect() {
          this.reset();
          for (const [bus, s] of snapshot()) {
            const v = spec.read(s);
            if (v !== undefined) this.inc({ bus }, v);
          }
        },
      });
    } else {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          for (const [bus, s] of snapshot()) {
            const v = spec.read(s);
            if (v !== undefined) this.set({ bus }, v);
          }
        },
      });
    }
  }
  new Counter({
    name: `${prefix}events_dropped_total`,
    help: 'Events dropped and counted, by reason (drop-oldest, drop-newest, reject, expired, closed, lost)',
    labelNames: ['bus', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [bus, s] of snapshot()) {
        const dropped = (s as unknown as TransportStats).dropped;
        for (const reason of Object.keys(dropped) as DropReason[]) this.inc({ bus, reason }, dropped[reason]);
      }
    },
  });
}
