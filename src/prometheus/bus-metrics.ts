import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import type { DropReason, TransportStats } from '../index.js';

/** Anything with counters: a bus, a transport. */
export interface StatsSource {
  stats(): TransportStats;
}

/** Options of {@link registerBusMetrics}. */
export interface BusMetricsOptions {
  /** Where the metrics go. @default prom-client's global registry */
  readonly registry?: Registry;
  /** Prefix of every metric name. @default 'dotbus_' */
  readonly prefix?: string;
  /** Value of the `bus` label, to tell several buses of one process apart. @default 'default' */
  readonly bus?: string;
}

/** Counters some transports add on top of {@link TransportStats}, exported when present. */
const EXTRA_COUNTERS: Readonly<Record<string, string>> = {
  lost: 'Events counted as lost between processes (sequence gaps)',
  duplicates: 'Re-sent copies of events dropped by consumers',
  decodeErrors: 'Messages on dotbus channels that could not be decoded',
  reconnects: 'Times a broker connection came back',
  retries: 'Handler retries (Streams)',
  deadLettered: 'Entries moved to the dead-letter stream (Streams)',
  acked: 'Entries acknowledged (Streams)',
  claimed: 'Pending entries claimed from dead members (Streams)',
};
const EXTRA_GAUGES: Readonly<Record<string, string>> = {
  buffered: 'Events waiting in the outage buffer while the broker is unreachable',
  unacknowledged: 'Commands written to the broker and not yet acknowledged',
};

/**
 * Exposes a bus's (or transport's) counters as Prometheus metrics, read from `stats()` at scrape
 * time: nothing runs on the publish or dispatch path.
 *
 * @returns a function that removes the metrics again
 * @example
 * ```ts
 * const unregister = registerBusMetrics(bus, { bus: 'orders' });
 * // GET /metrics → await register.metrics()
 * ```
 */
export function registerBusMetrics(source: StatsSource, options: BusMetricsOptions = {}): () => void {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'dotbus_';
  const labels = { bus: options.bus ?? 'default' };
  const read = (): Readonly<Record<string, unknown>> & TransportStats => source.stats() as TransportStats & Record<string, unknown>;
  const names: string[] = [];
  const counter = (name: string, help: string, value: (s: ReturnType<typeof read>) => number | undefined): void => {
    names.push(prefix + name);
    new Counter({
      name: prefix + name,
      help,
      labelNames: ['bus'],
      registers: [registry],
      collect() {
        const v = value(read());
        this.reset();
        if (v !== undefined) this.inc(labels, v);
      },
    });
  };
  const gauge = (name: string, help: string, value: (s: ReturnType<typeof read>) => number | undefined): void => {
    names.push(prefix + name);
    new Gauge({
      name: prefix + name,
      help,
      labelNames: ['bus'],
      registers: [registry],
      collect() {
        const v = value(read());
        if (v !== undefined) this.set(labels, v);
      },
    });
  };
  counter('events_published_total', 'Events accepted by publish (or received from the broker)', (s) => s.published);
  counter('events_delivered_total', 'Handler calls started', (s) => s.delivered);
  counter('handler_errors_total', 'Handler calls that threw or rejected', (s) => s.handlerErrors);
  counter('events_unrouted_total', 'Events no subscription matched', (s) => s.unrouted);
  counter('publish_failed_total', 'Publishes that failed and went to onError (bus publisher)', (s) => publisherFailed(s));
  registerDrops(registry, prefix, labels, read, names);
  gauge('queue_depth', 'Events waiting in subscription queues', (s) => s.queued);
  gauge('handlers_in_flight', 'Handler calls running now', (s) => s.inFlight);
  for (const [key, help] of Object.entries(EXTRA_COUNTERS)) counter(`${snake(key)}_total`, help, (s) => numberAt(s, key));
  for (const [key, help] of Object.entries(EXTRA_GAUGES)) gauge(snake(key), help, (s) => numberAt(s, key));
  return () => {
    for (const name of names) registry.removeSingleMetric(name);
  };
}

function registerDrops(
  registry: Registry,
  prefix: string,
  labels: { bus: string },
  read: () => TransportStats,
  names: string[],
): void {
  names.push(`${prefix}events_dropped_total`);
  new Counter({
    name: `${prefix}events_dropped_total`,
    help: 'Events dropped and counted, by reason (drop-oldest, drop-newest, reject, expired, closed, lost)',
    labelNames: ['bus', 'reason'],
    registers: [registry],
    collect() {
      const dropped = read().dropped;
      this.reset();
      for (const reason of Object.keys(dropped) as DropReason[]) this.inc({ ...labels, reason }, dropped[reason]);
    },
  });
}

function numberAt(stats: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = stats[key];
  return typeof v === 'number' ? v : undefined;
}

function publisherFailed(stats: Readonly<Record<string, unknown>>): number | undefined {
  const publisher = stats['publisher'];
  if (typeof publisher !== 'object' || publisher === null) return undefined;
  return numberAt(publisher as Record<string, unknown>, 'failed');
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
