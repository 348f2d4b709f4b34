/**
 * In-process cases: InMemory publish → handler against mitt, node:events, emittery and
 * EventEmitter2 (wildcard mode), plus fan-out scaling and the bounded-memory case lives in bounded.ts.
 *
 * @remarks The subject is always the public path: `bus.publish(event)` on a bus created with
 * `createBus()` (InMemory), events built beforehand, then `await bus.drain()`. Dispatch is
 * asynchronous, so the subject publishes a chunk, drains, and counts handler calls; a chunk never
 * exceeds the default queue capacity, so nothing is dropped (checked).
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createBus, matchesPattern, type BusEvent, type BusTracing } from 'dotbus';
import Emittery from 'emittery';
import eventemitter2 from 'eventemitter2';
import mittModule from 'mitt';
import { BenchOrder, buildOrders, familyOf, orderData } from '../events.js';
import { compareThroughput, minRatio, timeSync, type BenchConfig, type CaseResult } from '../harness.js';

/** Events per publish-then-drain chunk: the dispatcher's batch size, below the default queue capacity (10,000). */
const CHUNK = 8192;

// Both peers are CommonJS whose typings declare an ES default export; under NodeNext the default
// import is the module object to the compiler but the function/class at run time.
const mitt = mittModule as unknown as typeof mittModule.default;
const EventEmitter2 = eventemitter2 as unknown as typeof eventemitter2.EventEmitter2;
const POOL = 1024;

type Order = BusEvent<'bench.order.placed', ReturnType<typeof orderData>>;

/** Throws when a run did not deliver what it should have: a broken benchmark must not report a figure. */
function expectCalls(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: ${actual} handler calls, expected ${expected}`);
}

/** The InMemory subject of the single-subscription cases; `tracing` instruments its bus (`otel.on`). */
export function exactSubject(tracing?: BusTracing): (n: number) => Promise<number> {
  const bus = createBus({ events: [BenchOrder], ...(tracing === undefined ? {} : { tracing }) });
  const events = buildOrders(POOL);
  let calls = 0;
  bus.subscribe('bench.order.placed', (e) => {
    if (e.data.total > 0) calls++;
  });
  return async (n) => {
    calls = 0;
    const start = performance.now();
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + CHUNK);
      for (; i < end; i++) void bus.publish(events[i & (POOL - 1)]!);
      await bus.drain();
    }
    const seconds = (performance.now() - start) / 1000;
    expectCalls('memory subject', calls, n);
    return seconds;
  };
}

export function mittBaseline(): (n: number) => number {
  const emitter = mitt<{ 'bench.order.placed': Order }>();
  const events = buildOrders(POOL);
  let calls = 0;
  emitter.on('bench.order.placed', (e) => {
    if (e.data.total > 0) calls++;
  });
  return (n) => {
    calls = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) emitter.emit('bench.order.placed', events[i & (POOL - 1)]!);
    });
    expectCalls('mitt', calls, n);
    return s;
  };
}

function nodeEventsBaseline(): (n: number) => number {
  const emitter = new EventEmitter();
  const events = buildOrders(POOL);
  let calls = 0;
  emitter.on('bench.order.placed', (e: Order) => {
    if (e.data.total > 0) calls++;
  });
  return (n) => {
    calls = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) emitter.emit('bench.order.placed', events[i & (POOL - 1)]!);
    });
    expectCalls('node:events', calls, n);
    return s;
  };
}

function emitteryBaseline(): (n: number) => Promise<number> {
  const emitter = new Emittery<{ 'bench.order.placed': Order }>();
  const events = buildOrders(POOL);
  let calls = 0;
  emitter.on('bench.order.placed', (e) => {
    if (e.data.total > 0) calls++;
  });
  return async (n) => {
    calls = 0;
    const start = performance.now();
    for (let i = 0; i < n; i++) await emitter.emit('bench.order.placed', events[i & (POOL - 1)]!);
    const seconds = (performance.now() - start) / 1000;
    expectCalls('emittery', calls, n);
    return seconds;
  };
}

/** `memory.exact`: InMemory vs mitt, ≥ 0.5. */
export async function memoryExact(cfg: BenchConfig): Promise<CaseResult> {
  const c = await compareThroughput(cfg, mittBaseline(), exactSubject());
  return minRatio('memory.exact', 'events/s', c, 'mitt', 0.5);
}

/** `memory.node-events`: InMemory vs node:events, reported only. */
export async function memoryNodeEvents(cfg: BenchConfig): Promise<CaseResult> {
  const c = await compareThroughput(cfg, nodeEventsBaseline(), exactSubject());
  return { ...minRatio('memory.node-events', 'events/s', c, 'node:events', 0), target: 'reported', pass: null };
}

/** `memory.async-peer`: InMemory vs emittery `await emit`, ≥ 3×. */
export async function memoryAsyncPeer(cfg: BenchConfig): Promise<CaseResult> {
  const c = await compareThroughput(cfg, emitteryBaseline(), exactSubject());
  return minRatio('memory.async-peer', 'events/s', c, 'emittery', 3);
}

// ---------------------------------------------------------------------------------------------
// memory.wildcard-1000

/**
 * 900 exact subscriptions on 900 distinct types `dD.eE.aA` (D, E < 10, A < 9), 100 wildcard
 * subscriptions of five shapes, and events cycling over 50 of the 900 types.
 */
export function wildcardWorkload(): { types: string[]; emitted: string[]; patterns: string[] } {
  const types: string[] = [];
  for (let d = 0; d < 10; d++) for (let e = 0; e < 10; e++) for (let a = 0; a < 9; a++) types.push(`d${d}.e${e}.a${a}`);
  const emitted = Array.from({ length: 50 }, (_, i) => types[(i * 18 + (i % 7)) % types.length]!);
  const wildcards: string[] = ['*'];
  for (let d = 0; d < 10; d++) wildcards.push(`d${d}.*`);
  for (let i = 0; i < 40; i++) wildcards.push(`d${i % 10}.e${(i * 3) % 10}.+`);
  for (let i = 0; i < 30; i++) wildcards.push(`d${i % 10}.+.a${i % 9}`);
  for (let a = 0; a < 9; a++) wildcards.push(`*.a${a}`);
  for (let e = 0; e < 10; e++) wildcards.push(`+.e${e}.*`);
  return { types, emitted, patterns: [...types, ...wildcards] };
}

/**
 * Our pattern in EventEmitter2's wildcard syntax. Ours: `+` is exactly one segment, `*` one or
 * more. EE2: `*` is exactly one segment, `**` zero or more. So `+` → `*` and `*` → `*.**`.
 */
export function toEventEmitter2(pattern: string): string {
  return pattern
    .split('.')
    .map((s) => (s === '+' ? '*' : s === '*' ? '*.**' : s))
    .join('.');
}

/** `memory.wildcard-1000`: InMemory vs EventEmitter2 wildcard mode, same 1,000 subscriptions, ≥ 5×. */
export async function memoryWildcard(cfg: BenchConfig): Promise<CaseResult> {
  const { emitted, patterns } = wildcardWorkload();
  const Family = familyOf(emitted);
  const events = Array.from({ length: POOL }, (_, i) => Family.createOf(emitted[i % emitted.length]!, orderData(i), { source: '/bench' }) as BusEvent<string, ReturnType<typeof orderData>>);
  // Expected handler calls per event, from dotbus's own matcher; EE2 must agree (checked below).
  const perEvent = events.map((e) => patterns.filter((p) => matchesPattern(p, e.eventType)).length);
  const expected = (n: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) total += perEvent[i & (POOL - 1)]!;
    return total;
  };

  const ee = new EventEmitter2({ wildcard: true, delimiter: '.', maxListeners: 0, ignoreErrors: true });
  let eeCalls = 0;
  for (const p of patterns) {
    ee.on(toEventEmitter2(p), (e: BusEvent) => {
      if (e.eventId !== '') eeCalls++;
    });
  }
  const baseline = (n: number): number => {
    eeCalls = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) {
        const e = events[i & (POOL - 1)]!;
        ee.emit(e.eventType, e);
      }
    });
    expectCalls('eventemitter2', eeCalls, expected(n));
    return s;
  };

  const bus = createBus({ events: [Family] });
  let calls = 0;
  for (const p of patterns) {
    bus.subscribe(p, (e) => {
      if (e.eventId !== '') calls++;
    });
  }
  const subject = async (n: number): Promise<number> => {
    calls = 0;
    const start = performance.now();
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + CHUNK);
      for (; i < end; i++) void bus.publish(events[i & (POOL - 1)]!);
      await bus.drain();
    }
    const seconds = (performance.now() - start) / 1000;
    expectCalls('memory wildcard subject', calls, expected(n));
    return seconds;
  };

  const c = await compareThroughput(cfg, baseline, subject);
  const deliveries = perEvent.reduce((a, b) => a + b, 0) / perEvent.length;
  return minRatio('memory.wildcard-1000', 'events/s', c, 'eventemitter2', 5, {
    subscriptions: patterns.length,
    wildcards: patterns.length - 900,
    eventTypes: emitted.length,
    deliveriesPerEvent: Number(deliveries.toFixed(2)),
  });
}

// ---------------------------------------------------------------------------------------------
// memory.fanout-scaling

/** Events per chunk in the fan-out case: 1,000 subscriptions × 1,024 events queued at most. */
const FANOUT_CHUNK = 1024;

/** Deliveries/s with `fanout` subscriptions on the published type. */
function fanoutSubject(fanout: number): (n: number) => Promise<number> {
  const bus = createBus({ events: [BenchOrder] });
  const events = buildOrders(POOL);
  let calls = 0;
  for (let s = 0; s < fanout; s++) {
    bus.subscribe('bench.order.placed', (e) => {
      if (e.data.total > 0) calls++;
    });
  }
  // `n` counts deliveries, so both sides are timed over the same work whatever the fan-out.
  return async (n) => {
    const eventCount = Math.max(1, Math.round(n / fanout));
    calls = 0;
    const start = performance.now();
    for (let i = 0; i < eventCount; ) {
      const end = Math.min(eventCount, i + FANOUT_CHUNK);
      for (; i < end; i++) void bus.publish(events[i & (POOL - 1)]!);
      await bus.drain();
    }
    const seconds = (performance.now() - start) / 1000;
    expectCalls(`fan-out ${fanout}`, calls, eventCount * fanout);
    return (seconds * n) / (eventCount * fanout);
  };
}

/** `memory.fanout-scaling`: deliveries/s with 1,000 subscriptions ÷ with 10, ≥ 0.7. */
export async function memoryFanout(cfg: BenchConfig): Promise<CaseResult> {
  const c = await compareThroughput(cfg, fanoutSubject(10), fanoutSubject(1000), 10_000);
  return minRatio('memory.fanout-scaling', 'deliveries/s', c, '10 subscriptions', 0.7, {
    perEventNsAt10: Number(((1e9 * 10) / c.baseline).toFixed(1)),
    perEventNsAt1000: Number(((1e9 * 1000) / c.subject).toFixed(1)),
  });
}
