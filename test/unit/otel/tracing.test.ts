import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, createBus, defineEvent, EventRegistry, JsonCodec, Type } from '../../../src/index.js';
import { activeTraceContext, spanContextOf, traced } from '../../../src/otel/index.js';

const Order = defineEvent({ type: 'order.placed', version: '1.0.0', schema: Type.Object({ id: Type.String() }) });
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  trace.disable();
  context.disable();
});

describe('dotbus/otel', () => {
  it('stamps the active span on published events and parents the consumer span on it', async () => {
    exporter.reset();
    const bus = createBus({ events: [Order], traceContext: activeTraceContext });
    const handled: string[] = [];
    bus.subscribe('order.*', traced((e) => void handled.push(e.data.id)));
    let producer = { traceId: '', spanId: '' };
    await tracer.startActiveSpan('checkout', async (span) => {
      producer = span.spanContext();
      await bus.emit('order.placed', { id: 'o-1' });
      span.end();
    });
    await bus.drain();
    expect(handled).toEqual(['o-1']);
    const consumer = exporter.getFinishedSpans().find((s) => s.name === 'process order.placed')!;
    expect(consumer.spanContext().traceId).toBe(producer.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(consumer.attributes['messaging.destination.name']).toBe('order.placed');
  });

  it('carries the trace across a process boundary (the wire message) and back', () => {
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

  it('records a failing handler on its span; the bus still isolates and reports it', async () => {
    exporter.reset();
    const errors: string[] = [];
    const bus = createBus({ events: [Order], traceContext: activeTraceContext, onError: (e) => void errors.push(e.code) });
    bus.subscribe('order.placed', traced(async () => {
      throw new Error('no stock');
    }));
    await bus.emit('order.placed', { id: 'o-2' });
    await bus.drain();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'process order.placed')!;
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'no stock' });
    expect(span.events.some((e) => e.name === 'exception')).toBe(true);
    expect(errors).toEqual(['HANDLER_FAILED']);
  });
});
