import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, createBus, defineEvent, EventRegistry, JsonCodec, Type, type AnyBusEvent } from '../../../src/index.js';
import { activeTraceContext, otelTracing, spanContextOf } from '../../../src/otel/index.js';
import { hostileValues } from '../../conformance/promises.js';
import { Probe } from '../../conformance/samples.js';

const Order = defineEvent({ type: 'order.placed', version: '1.0.0', schema: Type.Object({ id: Type.String() }) });
const Shipped = defineEvent({ type: 'order.shipped', version: '1.0.0', schema: Type.Object({ id: Type.String() }) });
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = tracerProvider.getTracer('test');

class OutOfStock extends Error {}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => exporter.reset());

const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
const only = (name: string): ReadableSpan => {
  const found = spans(name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
const tracedBus = (options: Parameters<typeof otelTracing>[0] = {}, onError: () => void = () => {}) =>
  createBus({ events: [Order, Shipped], onError, tracing: otelTracing({ tracerProvider, ...options }) });

describe('otelTracing: send spans', () => {
  it('emit: a PRODUCER span `send <type>` whose context the event carries, a child of the active span', async () => {
    const bus = tracedBus();
    const seen: AnyBusEvent[] = [];
    bus.subscribe('order.placed', (e) => void seen.push(e));
    const receipt = await tracer.startActiveSpan('checkout', async (span) => {
      const r = await bus.emit('order.placed', { id: 'o-1' });
      span.end();
      return r;
    });
    await bus.drain();
    expect(receipt.status).toBe('accepted');
    const send = only('send order.placed');
    const checkout = only('checkout');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(checkout.spanContext().spanId);
    expect(send.attributes).toEqual({
      'messaging.system': 'dotbus',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'order.placed',
      'messaging.message.id': seen[0]!.eventId,
      'messaging.dotbus.transport': 'in-memory',
      'messaging.dotbus.publish.status': 'accepted',
    });
    expect(send.status.code).toBe(SpanStatusCode.UNSET);
    expect(spanContextOf(seen[0]!.trace)).toMatchObject({ traceId: send.spanContext().traceId, spanId: send.spanContext().spanId });
    expect(send.instrumentationScope).toMatchObject({ name: 'dotbus', schemaUrl: 'https://opentelemetry.io/schemas/1.44.0' });
  });

  it('publish: an event built in advance gets the send context; one that brought its own keeps it and is linked (CLIENT)', async () => {
    const bus = tracedBus();
    const seen: AnyBusEvent[] = [];
    bus.subscribe('order.*', (e) => void seen.push(e));
    const plain = Order.create({ id: 'plain' });
    const own = tracer.startActiveSpan('created', (span) => {
      const e = Order.create({ id: 'own' }, { trace: activeTraceContext()! });
      span.end();
      return e;
    });
    await bus.publish(plain);
    await bus.publish(own);
    await bus.drain();
    const [first, second] = spans('send order.placed');
    expect(first!.kind).toBe(SpanKind.PRODUCER);
    expect(spanContextOf(seen[0]!.trace)?.spanId).toBe(first!.spanContext().spanId);
    expect(seen[0]!.eventId).toBe(plain.eventId);
    expect(second!.kind).toBe(SpanKind.CLIENT);
    expect(seen[1]!.trace).toEqual(own.trace);
    expect(second!.links.map((l) => l.context.spanId)).toEqual([only('created').spanContext().spanId]);
  });

  it('publishBatch: one `send` span with messaging.batch.message_count; every event carries its context', async () => {
    const bus = tracedBus();
    const seen: AnyBusEvent[] = [];
    bus.subscribe('order.*', (e) => void seen.push(e));
    const receipts = await bus.publishBatch([Order.create({ id: 'a' }), Shipped.create({ id: 'a' }), Order.create({ id: 'b' })]);
    await bus.drain();
    expect(receipts.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const send = only('send');
    expect(send.attributes).toMatchObject({ 'messaging.batch.message_count': 3, 'messaging.operation.type': 'send' });
    expect(send.attributes['messaging.destination.name']).toBeUndefined();
    expect(send.attributes['messaging.message.id']).toBeUndefined();
    expect(seen).toHaveLength(3);
    for (const e of seen) expect(spanContextOf(e.trace)?.spanId).toBe(send.spanContext().spanId);
    // A batch of one type names it.
    await bus.publishBatch([Shipped.create({ id: 'c' })]);
    expect(only('send order.shipped').attributes).toMatchObject({ 'messaging.batch.message_count': 1, 'messaging.destination.name': 'order.shipped' });
  });

  it('a failed send is an ERROR span with error.type; the receipt is unchanged', async () => {
    const bus = tracedBus();
    const receipt = await bus.emit('order.placed', { id: 42 as unknown as string });
    expect(receipt.status).toBe('failed');
    const send = only('send order.placed');
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
    expect(send.attributes['error.type']).toBe('INVALID_EVENT');
    await bus.close();
    expect((await bus.emit('order.placed', { id: 'late' })).status).toBe('failed');
    expect(spans('send order.placed')[1]!.attributes['error.type']).toBe('TRANSPORT_CLOSED');
  });

  it('with a sampler that records nothing, events still carry the (unsampled) context and nothing is exported', async () => {
    const off = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const bus = createBus({ events: [Order], tracing: otelTracing({ tracerProvider: off }) });
    const seen: AnyBusEvent[] = [];
    bus.subscribe('order.placed', (e) => void seen.push(e));
    await bus.emit('order.placed', { id: 'x' });
    await bus.drain();
    expect(spanContextOf(seen[0]!.trace)).toMatchObject({ traceFlags: 0 });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('without an SDK, events carry no trace context, or the traceContext option\'s', async () => {
    const bus = createBus({ events: [Order], tracing: otelTracing() });
    const fallback = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const withOption = createBus({ events: [Order], tracing: otelTracing(), traceContext: () => fallback });
    const seen: AnyBusEvent[] = [];
    bus.subscribe('order.placed', (e) => void seen.push(e));
    withOption.subscribe('order.placed', (e) => void seen.push(e));
    await bus.emit('order.placed', { id: 'x' });
    await withOption.emit('order.placed', { id: 'y' });
    await Promise.all([bus.drain(), withOption.drain()]);
    expect(seen[0]!.trace).toBeUndefined();
    expect(seen[1]!.trace).toEqual(fallback);
  });

  it('never throws into the application, whatever it is given; every send span ends', async () => {
    let started = 0;
    let ended = 0;
    const counting = new BasicTracerProvider({
      spanProcessors: [{ onStart: () => void started++, onEnd: () => void ended++, forceFlush: async () => {}, shutdown: async () => {} }],
    });
    const bus = createBus({ events: [Probe], onError: () => {}, tracing: otelTracing({ tracerProvider: counting }) });
    const publish = bus.publish as (e: unknown) => Promise<{ status: string }>;
    const publishBatch = bus.publishBatch as (e: unknown) => Promise<{ status: string }[]>;
    const emit = bus.emit as (t: unknown, d: unknown, m?: unknown) => Promise<{ status: string }>;
    const valid = Probe.create('conf.order', { n: 1, text: 'x' });
    for (const value of hostileValues()) {
      expect((await publish.call(bus, value)).status).toBe('failed');
      expect((await publishBatch.call(bus, [value, valid])).map((r) => r.status)).toEqual(['failed', 'accepted']);
      // Some are valid here (`'conf.order'` as the type, `undefined` as meta): a receipt, never a throw.
      for (const [type, data, meta] of [['conf.order', value], ['conf.order', { n: 1, text: 'x' }, value], [value, { n: 1, text: 'x' }]]) {
        expect(['accepted', 'failed']).toContain((await emit.call(bus, type, data, meta)).status);
      }
    }
    await bus.drain();
    expect(started).toBeGreaterThan(hostileValues().length);
    expect(ended).toBe(started);
  });

  it('refuses an unknown consumerParent', () => {
    expect(() => otelTracing({ consumerParent: 'child' as 'parent' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('otelTracing: process spans', () => {
  it('each handler call is a CONSUMER span `process <type>`, child of the send span, one per matching subscription', async () => {
    const bus = tracedBus();
    let activeInHandler = '';
    bus.subscribe('order.*', () => void (activeInHandler = trace.getActiveSpan()?.spanContext().spanId ?? ''));
    bus.subscribe('order.placed', () => {});
    const receipt = await bus.emit('order.placed', { id: 'o-1' });
    await bus.drain();
    expect(receipt.status).toBe('accepted');
    const send = only('send order.placed');
    const processed = spans('process order.placed');
    expect(processed).toHaveLength(2);
    for (const p of processed) {
      expect(p.kind).toBe(SpanKind.CONSUMER);
      expect(p.spanContext().traceId).toBe(send.spanContext().traceId);
      expect(p.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(p.attributes).toMatchObject({
        'messaging.system': 'dotbus',
        'messaging.operation.name': 'process',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'order.placed',
        'messaging.message.id': send.attributes['messaging.message.id'],
        'messaging.dotbus.message.delivery_attempt': 1,
      });
    }
    expect(processed.map((p) => p.attributes['messaging.destination.template']).sort()).toEqual(['order.*', 'order.placed']);
    // The handler runs inside its span: spans it starts are its children.
    expect(processed.map((p) => p.spanContext().spanId)).toContain(activeInHandler);
  });

  it('a throwing or rejecting handler gives an ERROR span with error.type; the bus still isolates and reports it', async () => {
    const errors: string[] = [];
    const bus = tracedBus({}, ((e: { code: string }) => void errors.push(e.code)) as () => void);
    bus.subscribe('order.placed', () => {
      throw new OutOfStock('no stock');
    });
    bus.subscribe('order.placed', async () => {
      await Promise.resolve();
      throw new TypeError('bad');
    });
    await bus.emit('order.placed', { id: 'o-2' });
    await bus.drain();
    const failed = spans('process order.placed');
    expect(failed.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
    expect(failed.map((s) => s.attributes['error.type']).sort()).toEqual(['OutOfStock', 'TypeError']);
    expect(failed.map((s) => s.status.message).sort()).toEqual(['bad', 'no stock']);
    // Not retried, so not dead-lettered: no span event.
    expect(failed.flatMap((s) => s.events)).toEqual([]);
    expect(errors).toEqual(['HANDLER_FAILED', 'HANDLER_FAILED']);
  });

  it('consumerParent `link`: a trace of its own, linked to the send span', async () => {
    const bus = tracedBus({ consumerParent: 'link' });
    bus.subscribe('order.placed', () => {});
    await bus.emit('order.placed', { id: 'o-3' });
    await bus.drain();
    const send = only('send order.placed');
    const processed = only('process order.placed');
    expect(processed.parentSpanContext).toBeUndefined();
    expect(processed.spanContext().traceId).not.toBe(send.spanContext().traceId);
    expect(processed.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
  });

  it('an event without trace context starts a new trace, whatever context the transport calls the handler in', () => {
    const handler = otelTracing({ tracerProvider }).wrapHandler(() => {}, 'order.*');
    tracer.startActiveSpan('unrelated', (span) => {
      handler(Order.create({ id: 'o-4' }), { pattern: 'order.*', attempt: 1, onFailure: 'none' });
      span.end();
    });
    const processed = only('process order.placed');
    expect(processed.parentSpanContext).toBeUndefined();
    expect(processed.spanContext().traceId).not.toBe(only('unrelated').spanContext().traceId);
  });

  it('carries the trace across the wire: a decoded event names its send span as a remote parent', () => {
    const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, Order]));
    const event = tracer.startActiveSpan('s', (span) => {
      const e = Order.create({ id: 'x' }, { trace: activeTraceContext()! });
      span.end();
      return e;
    });
    const decoded = codec.decode(codec.encode(event));
    expect(decoded.ok && decoded.event.trace).toEqual(event.trace);
    expect(spanContextOf(decoded.ok ? decoded.event.trace : undefined)).toMatchObject({ isRemote: true, traceFlags: 1 });
    expect(activeTraceContext()).toBeUndefined();
  });
});
