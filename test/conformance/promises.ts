/**
 * The promises every transport keeps towards application code, checked on each of them (NoOp
 * included): publishing never throws, rejects or leaves an unhandled rejection whatever it is
 * given; hand-built events get the checks `create` applies; `subscribe` refuses bad calls with
 * typed errors and honours or refuses each option; a subscription can be awaited until the
 * broker confirmed it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBus, isDotbusError, type AnyBusEvent, type EventBus, type PublishReceipt, type SubscribeOptions, type Transport } from '../../src/index.js';
import { waitUntil } from '../helpers/wait.js';
import { Probe, type ConformanceEvent } from './samples.js';

/** What a transport does with each `SubscribeOptions` field. */
export interface OptionSupport {
  readonly queue: 'honoured' | 'refused';
  readonly waitPolicy: 'honoured' | 'refused';
  readonly maxInFlight: 'honoured' | 'refused';
}

/** What {@link describePromises} needs to know about a transport. */
export interface PromiseFeatures {
  /** Publishing reaches handlers (`false` for NoOp: every publish resolves `skipped`). */
  readonly delivers: boolean;
  readonly options: OptionSupport;
}

let nextNamespace = 0;

/** Values that have broken event buses: every one must come back as a `failed` receipt. */
export function hostileValues(): unknown[] {
  const valid = Probe.create('conf.order', { n: 1, text: 'x' });
  const cyclic: Record<string, unknown> = { n: 1, text: 'x' };
  cyclic['self'] = cyclic;
  const deep: unknown[] = [];
  let cursor = deep;
  for (let i = 0; i < 10_000; i++) cursor = (cursor[0] = []) as unknown[];
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  return [
    null,
    undefined,
    0,
    Number.NaN,
    'conf.order',
    Symbol('event'),
    10n,
    () => valid,
    [valid],
    {},
    { eventType: 42 },
    new Proxy({}, { get: () => { throw new Error('getter trap'); }, has: () => { throw new Error('has trap'); }, getPrototypeOf: () => { throw new Error('proto trap'); } }),
    revoked.proxy,
    Object.defineProperty({ ...valid }, 'data', { get: () => { throw new Error('data getter'); }, enumerable: true }),
    { ...valid, data: cyclic },
    { ...valid, data: { n: 1, text: 'x', deep } },
    { ...valid, data: { totally: 'wrong' } },
    { ...valid, timestamp: new Date(Number.NaN) },
    { ...valid, timestamp: '2024-01-01T00:00:00Z' },
    { ...valid, timestamp: new Date('+010000-01-01T00:00:00Z') },
    { ...valid, eventId: 'not-a-uuid' },
    { ...valid, eventId: undefined },
    { ...valid, version: '2.0.0' },
    { ...valid, source: '' },
    { ...valid, trace: { traceparent: 'nope' } },
    { ...valid, eventType: 'conf.unknown' },
    { ...valid, eventType: 'not a type!' },
    { ...valid, data: { n: 1.5, text: 'x' } },
    { ...valid, data: { n: 1, text: 'x', extra: () => 1 } },
    { ...valid, data: { n: Number.POSITIVE_INFINITY, text: 'x' } },
  ];
}

/** Registers the promise checks for one transport. */
export function describePromises(name: string, features: PromiseFeatures, create: (context: { readonly namespace: string }) => Promise<Transport>): void {
  describe(`transport promises: ${name}`, () => {
    const open: EventBus<ConformanceEvent>[] = [];
    const fresh = async (): Promise<{ bus: EventBus<ConformanceEvent>; errors: string[] }> => {
      const errors: string[] = [];
      const bus = createBus({ events: [Probe], transport: await create({ namespace: `promise-${process.pid}-${++nextNamespace}` }), onError: (e) => void errors.push(e.code) });
      open.push(bus);
      return { bus, errors };
    };
    const closeAll = (): Promise<unknown> => Promise.all(open.splice(0).map((b) => b.close().catch(() => undefined)));

    const expectFailed = (r: PublishReceipt, what: string): void => {
      const expected = features.delivers ? 'failed' : 'skipped';
      expect(r.status, what).toBe(expected);
      if (features.delivers) expect(isDotbusError(r.error), `${what}: typed error`).toBe(true);
    };

    it('publish, emit, emitWith and publishBatch resolve a failed receipt for anything invalid, and keep working', async () => {
      const { bus, errors } = await fresh();
      const got: number[] = [];
      bus.subscribe('conf.order', (e) => void got.push(e.data.n));
      await bus.ready();
      const anyBus = bus as unknown as Record<'publish' | 'emit' | 'emitWith' | 'publishBatch', (...args: unknown[]) => Promise<PublishReceipt | PublishReceipt[]>>;
      const hostile = hostileValues();
      for (const [i, value] of hostile.entries()) {
        expectFailed((await anyBus.publish(value)) as PublishReceipt, `publish #${i}`);
        if (value !== 'conf.order') expectFailed((await anyBus.emit(value, { n: 1, text: 'x' })) as PublishReceipt, `emit type #${i}`);
        expectFailed((await anyBus.emit('conf.order', value)) as PublishReceipt, `emit data #${i}`);
        expectFailed((await anyBus.emitWith('conf.order', () => value)) as PublishReceipt, `emitWith #${i}`);
        // Metadata may be absent (null, undefined, {}): what can't be used fails, nothing throws.
        const withMeta = (await anyBus.emit('conf.order', { n: 1, text: 'x' }, value)) as PublishReceipt;
        if (withMeta.status === 'failed') expect(isDotbusError(withMeta.error), `emit meta #${i}`).toBe(true);
      }
      expectFailed((await anyBus.emitWith('conf.order', () => { throw new Error('builder'); })) as PublishReceipt, 'emitWith builder throws');
      expectFailed((await anyBus.emitWith('conf.order', 'not a function')) as PublishReceipt, 'emitWith builder is no function');
      const batch = (await anyBus.publishBatch([Probe.create('conf.order', { n: 7, text: 'ok' }), ...hostile.slice(0, 8)])) as PublishReceipt[];
      expect(batch).toHaveLength(9);
      expect(batch[0]!.status).toBe(features.delivers ? 'accepted' : 'skipped');
      for (const r of batch.slice(1)) expectFailed(r, 'batch member');
      for (const value of [null, 42, 'x', { length: 3 }]) {
        const r = (await anyBus.publishBatch(value)) as PublishReceipt[];
        expect(r.length).toBeGreaterThanOrEqual(1);
        for (const x of r) expectFailed(x, 'batch of a non-array');
      }
      // A property run over arbitrary values, as the last word on "never throws, never rejects".
      await fc.assert(
        fc.asyncProperty(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true }), async (value) => {
          expectFailed((await anyBus.publish(value)) as PublishReceipt, 'publish(anything)');
          expectFailed((await anyBus.emit('conf.order', value)) as PublishReceipt, 'emit(anything)');
        }),
        { numRuns: 100 },
      );
      // The bus still works, and nothing invalid reached the handler.
      expect((await bus.emit('conf.order', { n: 42, text: 'after' })).status).toBe(features.delivers ? 'accepted' : 'skipped');
      if (features.delivers) {
        await waitUntil(() => got.includes(42));
        expect(got.filter((n) => n !== 42 && n !== 7 && n !== 1)).toEqual([]);
        expect(errors.length).toBeGreaterThan(hostile.length);
      }
      await closeAll();
    });

    it('checks a hand-built or copied event exactly as create does', async () => {
      const { bus } = await fresh();
      const got: AnyBusEvent[] = [];
      bus.subscribe('conf.order', (e) => void got.push(e));
      await bus.ready();
      const valid = Probe.create('conf.order', { n: 1, text: 'made' });
      const copy = { ...valid, data: { n: 2, text: 'copied' } } as unknown as ConformanceEvent;
      const wrong = { ...valid, data: { totally: 'wrong' } } as unknown as ConformanceEvent;
      const invalidDate = { ...valid, timestamp: new Date(Number.NaN) } as unknown as ConformanceEvent;
      const badId = { ...valid, eventId: 'id-1' } as unknown as ConformanceEvent;
      for (const e of [wrong, invalidDate, badId]) {
        const r = await bus.publish(e);
        expectFailed(r, 'invalid hand-built event');
        if (features.delivers) expect(r.error?.code).toBe('INVALID_EVENT');
      }
      expect((await bus.publish(copy)).status).toBe(features.delivers ? 'accepted' : 'skipped');
      if (!features.delivers) return closeAll();
      await waitUntil(() => got.length >= 1);
      await bus.drain();
      expect(got.map((e) => e.data)).toEqual([{ n: 2, text: 'copied' }]);
      expect(got[0]!.eventId).toBe(valid.eventId);
      expect(Object.isFrozen(got[0]!.data)).toBe(true);
      await closeAll();
    });

    it('subscribe refuses bad patterns, handlers and options with typed errors, and nothing else', async () => {
      const { bus } = await fresh();
      const anySubscribe = bus.subscribe.bind(bus) as unknown as (p: unknown, h: unknown, o?: unknown) => { unsubscribe(): void };
      const refused = (call: () => unknown): string => {
        try {
          (call() as { unsubscribe(): void }).unsubscribe();
          return 'ok';
        } catch (e) {
          if (!isDotbusError(e)) throw e;
          return e.code;
        }
      };
      expect(refused(() => anySubscribe('validation*', () => {}))).toBe('INVALID_PATTERN');
      expect(refused(() => anySubscribe(null, () => {}))).toBe('INVALID_PATTERN');
      expect(refused(() => anySubscribe('conf.order', 'not a function'))).toBe('INVALID_OPTION');
      expect(refused(() => anySubscribe('conf.order', () => {}, { signal: 'nope' }))).toBe('INVALID_OPTION');
      expect(refused(() => anySubscribe('conf.order', () => {}, 42))).toBe('INVALID_OPTION');
      await fc.assert(
        fc.property(fc.anything(), fc.anything(), fc.anything(), (pattern, handler, options) => {
          expect(['ok', 'INVALID_PATTERN', 'INVALID_OPTION']).toContain(refused(() => anySubscribe(pattern, handler, options)));
        }),
        { numRuns: 200 },
      );
      await closeAll();
    });

    it('honours each subscribe option, or refuses it naming the transport and the option', async () => {
      const { bus } = await fresh();
      const check = (option: RegExp, support: 'honoured' | 'refused', options: SubscribeOptions): void => {
        const call = (): void => bus.subscribe('conf.order', () => {}, options).unsubscribe();
        if (support === 'honoured') return void expect(call).not.toThrow();
        const message = new RegExp(`^option \`${option.source}\`: ${bus.transport.name}: .{20,}`);
        expect(call).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }));
      };
      check(/queue/, features.options.queue, { queue: { capacity: 2, policy: 'drop-newest' } });
      check(/queue(\.policy)?/, features.options.waitPolicy, { queue: { policy: 'wait' } });
      check(/maxInFlight/, features.options.maxInFlight, { maxInFlight: 1 });
      if (!features.delivers) return closeAll();
      await bus.ready();
      if (features.options.maxInFlight === 'honoured') {
        let running = 0;
        let most = 0;
        let done = 0;
        const sub = bus.subscribe('conf.order', async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
          done++;
        }, { maxInFlight: 1 });
        await sub.ready;
        for (let i = 0; i < 20; i++) await bus.emit('conf.order', { n: i, text: '' });
        await waitUntil(() => done >= 20);
        expect(most).toBe(1);
        sub.unsubscribe();
      }
      if (features.options.queue === 'honoured') {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let seen = 0;
        const sub = bus.subscribe('conf.order', async () => {
          seen++;
          await gate;
        }, { maxInFlight: 1, queue: { capacity: 2, policy: 'drop-newest' } });
        await sub.ready;
        const before = bus.stats().dropped['drop-newest'];
        for (let i = 0; i < 10; i++) await bus.emit('conf.order', { n: i, text: '' });
        await waitUntil(() => seen >= 1 && seen + bus.stats().dropped['drop-newest'] - before + bus.stats().queued >= 10);
        release();
        await bus.drain();
        expect(seen).toBe(3); // one running, two queued; the rest dropped and counted
        expect(bus.stats().dropped['drop-newest'] - before).toBe(7);
        sub.unsubscribe();
      }
      await closeAll();
    });

    it('a subscription awaited on its own receives everything published right after', async () => {
      const { bus: publisher } = await fresh();
      await publisher.ready();
      const got: number[] = [];
      const sub = publisher.subscribe('conf.order', (e) => void got.push(e.data.n));
      await sub.ready;
      for (let i = 0; i < 50; i++) void publisher.emit('conf.order', { n: i, text: 'right away' });
      if (!features.delivers) return closeAll();
      await waitUntil(() => got.length >= 50, 20_000, 'all 50 events');
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await closeAll();
    });
  });
}
