import type { BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import type { ResourceUsage, StatsSource } from '../index.js';
import { streamGroupSeries, type LabelLimiter, type StreamGroupInfo, type StreamGroupSource } from '../monitoring/index.js';

/*
 * The asynchronous instruments of `otelMetrics`: read when the SDK collects, never on the event path.
 */

/** The latest resource usage by (bounded) event source. */
export type LatestResources = Map<string, ResourceUsage>;

/** Registers `callback` for `observables` and returns the function that removes it. */
function batch(meter: Meter, observables: Observable[], callback: BatchObservableCallback): () => void {
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

/** `dotbus.resource.*` gauges: the latest usage of each source. */
export function observeResources(meter: Meter, latest: LatestResources): () => void {
  const rss = meter.createObservableGauge('dotbus.resource.rss', { unit: 'By', description: 'Resident set size after the latest measured work, by event source' });
  const heap = meter.createObservableGauge('dotbus.resource.heap_used', { unit: 'By', description: 'V8 heap in use after the latest measured work, by event source' });
  const delay = meter.createObservableGauge('dotbus.resource.event_loop.delay', { unit: 's', description: 'Mean event-loop delay during the latest measured work, by event source' });
  return batch(meter, [rss, heap, delay], (result) => {
    for (const [source, usage] of latest) {
      const attributes = { 'dotbus.event.source': source };
      result.observe(rss, usage.rssBytes, attributes);
      result.observe(heap, usage.heapUsedBytes, attributes);
      if (usage.eventLoopDelayMs !== undefined) result.observe(delay, usage.eventLoopDelayMs / 1000, attributes);
    }
  });
}

/** `dotbus.label_values.folded`: values the caps turned into `other`, by label. */
export function observeFolded(meter: Meter, labels: LabelLimiter): () => void {
  const folded = meter.createObservableCounter('dotbus.label_values.folded', {
    unit: '{observation}', description: 'Observations whose attribute value was reported as "other": the attribute had reached its cap of distinct values, or the value was too long',
  });
  return batch(meter, [folded], (result) => {
    for (const [label, n] of labels.folded()) result.observe(folded, n, { 'dotbus.label.name': label });
  });
}

/**
 * The messaging conventions' client counters, from the bus's `stats()`: `sent.messages` counts
 * publishes the transport accepted (failed ones apart, with `error.type`), `consumed.messages`
 * handler calls, the push-based delivery of a message to the application.
 */
export function observeBusCounters(meter: Meter, bus: StatsSource): () => void {
  const sent = meter.createObservableCounter('messaging.client.sent.messages', { unit: '{message}', description: 'Number of messages producer attempted to send to the broker' });
  const consumed = meter.createObservableCounter('messaging.client.consumed.messages', { unit: '{message}', description: 'Number of messages that were delivered to the application' });
  return batch(meter, [sent, consumed], (result) => {
    const stats = bus.stats() as ReturnType<StatsSource['stats']> & { readonly publisher?: { readonly accepted: number; readonly failed: number } };
    const send = { 'messaging.system': 'dotbus', 'messaging.operation.name': 'send' };
    if (stats.publisher !== undefined) {
      result.observe(sent, stats.publisher.accepted, send);
      result.observe(sent, stats.publisher.failed, { ...send, 'error.type': '_OTHER' });
    }
    result.observe(consumed, stats.delivered, { 'messaging.system': 'dotbus', 'messaging.operation.name': 'process' });
  });
}

/** `dotbus.stream.group.*` gauges, read from Redis on each collection (bounded by `timeoutMs`). */
export function observeStreamGroups(meter: Meter, sources: readonly StreamGroupSource[], labels: LabelLimiter, timeoutMs: number): () => void {
  const lag = meter.createObservableGauge('dotbus.stream.group.lag', { unit: '{entry}', description: 'Entries of the stream not yet delivered to the group (Redis 7 and later)' });
  const pending = meter.createObservableGauge('dotbus.stream.group.pending', { unit: '{entry}', description: 'Entries delivered to a member of the group and not acknowledged' });
  const consumers = meter.createObservableGauge('dotbus.stream.group.consumers', { unit: '{consumer}', description: 'Members of the group' });
  const age = meter.createObservableGauge('dotbus.stream.group.oldest_pending.age', { unit: 's', description: 'Age of the oldest pending entry of the group' });
  return batch(meter, [lag, pending, consumers, age], async (result) => {
    let infos: readonly StreamGroupInfo[];
    try {
      infos = (await withTimeout(Promise.all(sources.map((s) => new Promise<readonly StreamGroupInfo[]>((r) => r(s.groupInfo())))), timeoutMs)).flat();
    } catch {
      return; // Redis unreachable: no observation this time, which a backend reads as unknown.
    }
    for (const s of streamGroupSeries(infos, labels)) {
      const attributes = { 'dotbus.namespace': s.namespace, 'messaging.consumer.group.name': s.group };
      if (s.lag !== undefined) result.observe(lag, s.lag, attributes);
      result.observe(pending, s.pending, attributes);
      result.observe(consumers, s.consumers, attributes);
      if (s.oldestPendingMs !== undefined) result.observe(age, s.oldestPendingMs / 1000, attributes);
    }
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
