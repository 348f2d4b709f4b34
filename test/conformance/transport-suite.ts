/**
 * The transport conformance suite: every transport runs it with one call.
 *
 * How to add a transport (see also ARCHITECTURE.md):
 * 1. Implement the `Transport` contract of `src/transport.ts` in its own folder.
 * 2. Keep subscriptions in core's `SubscriptionTable` (from `src/internal.ts`); when handlers run
 *    in this process with bounded queues, use `LocalDispatcher`, which is built on it.
 * 3. Add `test/transports/<name>.test.ts` that calls {@link describeTransport} with the
 *    transport's {@link TransportFeatures}. A `false` flag turns a check into its opposite; nothing
 *    here is ever skipped.
 * 4. A transport is fully configured only after `bind(context)`, which hands it the bus's registry
 *    and observer: `createBus` calls it before returning, so the factory must return an unbound
 *    transport and the suite always goes through `createBus`.
 *
 * @example
 * ```ts
 * describeTransport('InMemory', { crossInstance: false, durable: false }, async () => new InMemoryTransport());
 * ```
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILT_IN_EVENTS,
  createBus,
  matchesPattern,
  type AnyBusEvent,
  type Delivery,
  type ErrorHook,
  type EventBus,
  type Transport,
} from '../../src/index.js';
import { builtInSamples, Probe, PROBE_TYPES, type ConformanceEvent } from './samples.js';
import { waitUntil } from '../helpers/wait.js';

/** What a transport promises; a `false` flag turns its check into the opposite check, never a skip. */
export interface TransportFeatures {
  /** Two transports made by `create` with the same namespace see each other's events (a broker). */
  readonly crossInstance: boolean;
  /** A subscriber that starts after a publish still receives it (Streams). */
  readonly durable: boolean;
  /**
   * Transports made with the same namespace are members of one consumer group: each event goes
   * to exactly one of them (Streams work sharing) instead of to every one.
   */
  readonly sharedGroup?: boolean;
}

/** Makes a fresh transport; the same namespace means the same shared medium. */
export type TransportFactory = (context: { readonly namespace: string }) => Promise<Transport>;

let nextNamespace = 0;

/** Registers the conformance tests for one transport. */
export function describeTransport(name: string, features: TransportFeatures, create: TransportFactory): void {
  describe(`transport conformance: ${name}`, () => {
    const open: EventBus<ConformanceEvent>[] = [];
    let namespace = '';

    const bus = async (onError: ErrorHook = () => {}): Promise<EventBus<ConformanceEvent>> => {
      const b = createBus({ events: [Probe], transport: await create({ namespace }), onError });
      open.push(b);
      return b;
    };
    const fresh = async (onError?: ErrorHook): Promise<EventBus<ConformanceEvent>> => {
      namespace = `conf-${process.pid}-${++nextNamespace}`;
      return bus(onError);
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close().catch(() => undefined)));
    });

    it('round-trips every built-in event, typed and frozen', async () => {
      const b = await fresh();
      const got: AnyBusEvent[] = [];
      b.subscribe('*', (e) => void got.push(e));
      await b.ready();
      const samples = builtInSamples();
      const ids = new Set(samples.map((e) => e.eventId));
      for (const e of samples) await b.publish(e);
      // Transports may add local system.health.* events of their own; only the samples count here.
      const mine = (): AnyBusEvent[] => got.filter((e) => ids.has(e.eventId));
      await waitUntil(() => mine().length >= samples.length);
      expect(mine().map((e) => e.eventId)).toEqual(samples.map((e) => e.eventId));
      for (const [i, e] of mine().entries()) {
        expect(e).toEqual(samples[i]);
        expect(e.timestamp.getTime()).toBe(samples[i]!.timestamp.getTime());
        expect(Object.isFrozen(e) && Object.isFrozen(e.data)).toBe(true);
      }
      expect(new Set(mine().map((e) => e.eventType)).size).toBe(BUILT_IN_EVENTS.flatMap((d) => d.types).length);
    });

    it('routes exactly as the pattern table says (DESIGN §2)', async () => {
      const b = await fresh();
      const patterns = ['validation.*', '*.error.*', '*.started', 'validation.+', 'performance.metric.recorded'];
      const got = new Map(patterns.map((p) => [p, [] as string[]]));
      for (const p of patterns) b.subscribe(p, (e) => void got.get(p)!.push(e.eventType));
      await b.ready();
      const types = [...PROBE_TYPES, 'validation.started', 'validation.phase.completed', 'validation.phase.started',
        'validation.error.occurred', 'performance.metric.recorded', 'performance.phase.start'];
      const sent = types.map((t) => sampleOf(b, t));
      for (const e of sent) await b.publish(e);
      const expected = new Map(patterns.map((p) => [p, types.filter((t) => matchesPattern(p, t))]));
      const total = [...expected.values()].reduce((n, v) => n + v.length, 0);
      await waitUntil(() => [...got.values()].reduce((n, v) => n + v.length, 0) >= total);
      await b.drain();
      for (const p of patterns) expect(got.get(p)).toEqual(expected.get(p));
      expect(got.get('validation.*')).toContain('validation.phase.completed');
      expect(got.get('validation.*')).not.toContain('validation');
      expect(got.get('*.error.*')).toEqual(['system.error.disk.full', 'validation.error.occurred']);
      expect(got.get('validation.+')).toEqual(['validation.started']);
    });

    it(features.sharedGroup === true ? 'serves several subscribers on one member and splits events between members' : 'serves several subscribers on one consumer and several consumers', async () => {
      const a = await fresh();
      const c = await bus();
      const seen = { a1: 0, a2: 0, c1: 0 };
      a.subscribe('conf.*', () => void seen.a1++);
      a.subscribe('conf.order', () => void seen.a2++);
      c.subscribe('conf.+', () => void seen.c1++);
      await Promise.all([a.ready(), c.ready()]);
      for (let i = 0; i < 20; i++) await a.emit('conf.order', { n: i, text: 'x' });
      if (features.sharedGroup === true) {
        // One group: each event is handled by exactly one member (all of that member's matching
        // subscriptions run), never by both.
        await waitUntil(() => seen.a1 + seen.c1 >= 20);
        await Promise.all([a.drain(), c.drain()]);
        expect(seen.a1).toBe(seen.a2);
        expect(seen.a1 + seen.c1).toBe(20);
        return;
      }
      await waitUntil(() => seen.a1 >= 20 && seen.a2 >= 20 && (!features.crossInstance || seen.c1 >= 20));
      await Promise.all([a.drain(), c.drain()]);
      expect(seen.a1).toBe(20);
      expect(seen.a2).toBe(20);
      expect(seen.c1).toBe(features.crossInstance ? 20 : 0);
    });

    it('stops delivering after unsubscribe, and dispose works too', async () => {
      const b = await fresh();
      let kept = 0;
      let gone = 0;
      let disposed = 0;
      b.subscribe('conf.order', () => void kept++);
      const sub = b.subscribe('conf.*', () => void gone++);
      {
        using _d = b.subscribe('conf.+', () => void disposed++);
      }
      await b.ready();
      sub.unsubscribe();
      sub.unsubscribe(); // idempotent
      for (let i = 0; i < 5; i++) await b.emit('conf.order', { n: i, text: '' });
      await waitUntil(() => kept >= 5);
      await b.drain();
      expect([kept, gone, disposed]).toEqual([5, 0, 0]);
    });

    it('keeps per-publisher order, also with concurrent publishers', async () => {
      const b = await fresh();
      const other = features.crossInstance ? await bus() : b;
      const got = new Map<string, number[]>();
      b.subscribe('conf.order', (e) => {
        const list = got.get(e.data.text) ?? [];
        list.push(e.data.n);
        got.set(e.data.text, list);
      });
      await Promise.all([b.ready(), other.ready()]); // before it is connected a publish is buffered, not accepted
      const n = 500;
      await Promise.all([
        publishSequence(b, 'p1', n),
        publishSequence(other, 'p2', n),
        publishSequence(b, 'p3', n),
      ]);
      await waitUntil(() => [...got.values()].reduce((s, l) => s + l.length, 0) >= 3 * n);
      const ascending = Array.from({ length: n }, (_, i) => i);
      for (const p of ['p1', 'p2', 'p3']) expect(got.get(p)).toEqual(ascending);
    });

    it('isolates a throwing handler from the others and reports it', async () => {
      const errors: string[] = [];
      const reporting = await fresh((e) => void errors.push(e.code));
      let ok = 0;
      reporting.subscribe('conf.order', () => {
        throw new Error('boom');
      });
      reporting.subscribe('conf.order', async () => {
        await Promise.resolve();
        throw new Error('async boom');
      });
      reporting.subscribe('conf.order', () => void ok++);
      await reporting.ready();
      for (let i = 0; i < 10; i++) await reporting.emit('conf.order', { n: i, text: '' });
      await waitUntil(() => ok >= 10 && errors.length >= 20);
      await reporting.drain();
      expect(ok).toBe(10);
      expect(errors.filter((c) => c === 'HANDLER_FAILED')).toHaveLength(20);
      expect(reporting.stats().handlerErrors).toBeGreaterThanOrEqual(20);
    });

    it(`tells each handler its delivery: pattern, attempt 1, ${features.durable ? 'retried' : 'not retried'} on failure`, async () => {
      const b = await fresh();
      const got: Delivery[] = [];
      b.subscribe('conf.*', (_e, delivery) => void got.push(delivery));
      b.subscribe('conf.order', (_e, delivery) => void got.push(delivery));
      await b.ready();
      await b.emit('conf.order', { n: 1, text: '' });
      await waitUntil(() => got.length >= 2);
      const onFailure = features.durable ? 'retry' : 'none';
      expect(got.map((d) => d.pattern).sort()).toEqual(['conf.*', 'conf.order']);
      expect(got.every((d) => d.attempt === 1 && d.onFailure === onFailure)).toBe(true);
    });

    it('publishes batches in order', async () => {
      const b = await fresh();
      const got: number[] = [];
      b.subscribe('conf.order', (e) => void got.push(e.data.n));
      await b.ready();
      const batch = Array.from({ length: 200 }, (_, n) => Probe.create('conf.order', { n, text: 'batch' }));
      const receipts = await b.publishBatch(batch);
      expect(receipts.every((r) => r.status === 'accepted')).toBe(true);
      await waitUntil(() => got.length >= 200);
      expect(got).toEqual(batch.map((e) => e.data.n));
    });

    it('carries large (1 MB) and unicode payloads unchanged', async () => {
      const b = await fresh();
      const got: string[] = [];
      b.subscribe('conf.blob', (e) => void got.push(e.data.text));
      await b.ready();
      const texts = ['x'.repeat(1024 * 1024), 'héllo wörld — 日本語 — 🚀🎉 — \u0000\u2028\u2029 — "quotes" \\ back', ''];
      for (const [n, text] of texts.entries()) await b.emit('conf.blob', { n, text });
      await waitUntil(() => got.length >= texts.length);
      expect(got).toEqual(texts);
    });

    it('drains on close, then refuses to publish with a clear error', async () => {
      const b = await fresh();
      let handled = 0;
      b.subscribe('conf.order', async () => {
        await new Promise((r) => setTimeout(r, 1));
        handled++;
      });
      await b.ready();
      for (let i = 0; i < 50; i++) await b.emit('conf.order', { n: i, text: '' });
      await waitUntil(() => b.stats().delivered >= 50);
      await b.close();
      expect(handled).toBe(50);
      await expect(b.transport.publish(Probe.create('conf.order', { n: 0, text: '' }))).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
      const receipt = await b.emit('conf.order', { n: 0, text: '' });
      expect(receipt.status).toBe('failed');
      expect(receipt.error?.code).toBe('TRANSPORT_CLOSED');
    });

    it(features.durable ? 'delivers to a subscriber that starts after the publish' : 'does not replay to a late subscriber', async () => {
      const b = await fresh();
      await b.ready(); // connected: the early event is really published, not buffered until later
      expect((await b.emit('conf.order', { n: 1, text: 'early' })).status).toBe('accepted');
      const late = features.crossInstance ? await bus() : b;
      const got: string[] = [];
      late.subscribe('conf.order', (e) => void got.push(e.data.text));
      await late.ready();
      await b.emit('conf.order', { n: 2, text: 'marker' });
      await waitUntil(() => got.includes('marker'));
      expect(got.includes('early')).toBe(features.durable);
    });

    it('accounts for every event, per subscription: delivered + dropped = published', async () => {
      const b = await fresh();
      const dropped = (): number => Object.values(b.stats().dropped).reduce((x, y) => x + y, 0);
      let fast = 0;
      let slow = 0;
      b.subscribe('conf.order', () => void fast++);
      // A slow handler behind a 5-slot queue: a burst overflows it unless the transport holds
      // events back (durable transports apply backpressure instead of dropping).
      // Durable transports refuse per-subscription queues: the stream is the queue.
      b.subscribe('conf.order', async () => {
        await new Promise((r) => setTimeout(r, 1));
        slow++;
      }, features.durable ? {} : { maxInFlight: 1, queue: { capacity: 5, policy: 'drop-oldest' } });
      await b.ready();
      const receipts = [];
      for (let i = 0; i < 100; i++) receipts.push(b.emit('conf.order', { n: i, text: '' }));
      await Promise.all(receipts);
      await waitUntil(() => fast >= 100 && slow + dropped() >= 100, 30_000, 'every event handled or counted');
      await b.drain();
      expect(b.stats().publisher.accepted).toBe(100);
      expect(fast).toBe(100);
      expect(slow + dropped()).toBe(100);
      if (features.durable) expect(dropped()).toBe(0);
      else expect(dropped()).toBeGreaterThan(0);
    });
  });
}

function sampleOf(b: EventBus<ConformanceEvent>, type: string): ConformanceEvent {
  const def = b.registry.require(type);
  const sample = builtInSamples().find((e) => e.eventType === type);
  return sample ?? (def.createOf(type, { n: 0, text: type }) as ConformanceEvent);
}

async function publishSequence(b: EventBus<ConformanceEvent>, text: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await b.emit('conf.order', { n: i, text });
    if (r.status !== 'accepted') throw new Error(`publish ${i} of ${text}: ${r.status}`);
  }
}
