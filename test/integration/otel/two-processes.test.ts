/**
 * Traces across two processes on a real Redis: a child process publishes with `otelTracing` and
 * sends its finished spans back as JSON; this process consumes with `otelTracing`. Each has its
 * own in-memory span exporter, so parenthood can only come from the events' trace context.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type Delivery, type EventBus } from '../../../src/index.js';
import { otelTracing } from '../../../src/otel/index.js';
import { redisPubSub, redisStreams } from '../../../src/redis/index.js';
import { recordOf, ShopOrder, type ProducerConfig, type SpanRecord } from '../../fixtures/otel/shop.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

const PRODUCER = fileURLToPath(new URL('../../fixtures/otel/traced-producer.ts', import.meta.url));

class OutOfStock extends Error {}

let server: RedisServer;
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const open: EventBus<never>[] = [];
let run = 0;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  server = await startRedis();
});
afterAll(async () => {
  context.disable();
  await server?.dispose();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
  exporter.reset();
});

/** Runs the producer process to the end; resolves with the spans it finished. */
function produce(config: ProducerConfig): Promise<SpanRecord[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PRODUCER], {
      env: { ...process.env, DOTBUS_OTEL_FIXTURE: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => void (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as SpanRecord[]);
      else reject(new Error(`producer exited with ${signal ?? code}: ${err}`));
    });
  });
}

const consumerSpans = (): SpanRecord[] => exporter.getFinishedSpans().map(recordOf);
const named = (spans: readonly SpanRecord[], name: string): SpanRecord[] => spans.filter((s) => s.name === name);
const attempt = (s: SpanRecord): number => s.attributes['messaging.dotbus.message.delivery_attempt'] as number;

/** Waits until this process finished `count` spans named `name`. */
async function processed(name: string, count: number): Promise<SpanRecord[]> {
  await waitFor(`${count} × ${name}`, 30_000, () => named(consumerSpans(), name).length >= count, () => `spans: ${consumerSpans().map((s) => s.name).join(', ')}`);
  return named(consumerSpans(), name);
}

describe('otelTracing across two processes', () => {
  it('Redis Pub/Sub: process spans are children of the producer\'s send span, one per matching subscription; a throw is an ERROR span', async () => {
    const namespace = `otel-${process.pid}-${++run}`;
    const bus = createBus({
      events: [ShopOrder],
      transport: redisPubSub({ connection: { url: server.url }, namespace }),
      tracing: otelTracing({ tracerProvider }),
      onError: () => {},
    });
    open.push(bus as EventBus<never>);
    bus.subscribe('shop.order.*', () => {});
    bus.subscribe('shop.order.placed', () => {});
    bus.subscribe('shop.order.rejected', () => {
      throw new OutOfStock('no stock');
    });
    await bus.ready();

    const produced = await produce({ url: server.url, namespace, transport: 'pubsub' });
    const send = named(produced, 'send shop.order.placed')[0]!;
    const sendRejected = named(produced, 'send shop.order.rejected')[0]!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanId).toBeUndefined();
    expect(send.attributes).toMatchObject({ 'messaging.system': 'dotbus', 'messaging.dotbus.transport': 'redis-pubsub', 'messaging.destination.name': 'shop.order.placed' });

    const placed = await processed('process shop.order.placed', 2);
    expect(placed.map((s) => s.attributes['messaging.destination.template']).sort()).toEqual(['shop.order.*', 'shop.order.placed']);
    for (const s of placed) {
      expect(s).toMatchObject({ kind: SpanKind.CONSUMER, traceId: send.traceId, parentSpanId: send.spanId, status: { code: SpanStatusCode.UNSET } });
      expect(s.attributes['messaging.message.id']).toBe(send.attributes['messaging.message.id']);
    }

    const rejected = await processed('process shop.order.rejected', 2);
    for (const s of rejected) expect(s).toMatchObject({ traceId: sendRejected.traceId, parentSpanId: sendRejected.spanId });
    const failed = rejected.find((s) => s.attributes['messaging.destination.template'] === 'shop.order.rejected')!;
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no stock' });
    expect(failed.attributes['error.type']).toBe('OutOfStock');
    expect(failed.events).toEqual([]);
  });

  it('Redis Streams: each attempt is a span of its own with its number; the last failed one is dead-lettered', async () => {
    const namespace = `otel-${process.pid}-${++run}`;
    const bus = createBus({
      events: [ShopOrder],
      transport: redisStreams({ connection: { url: server.url }, namespace, group: 'billing', retry: { maxAttempts: 3, backoff: { baseMs: 1, capMs: 5 } } }),
      tracing: otelTracing({ tracerProvider }),
      onError: () => {},
    });
    open.push(bus as EventBus<never>);
    const deliveries: Delivery[] = [];
    bus.subscribe('shop.order.placed', (_e, delivery) => {
      deliveries.push(delivery);
      if (delivery.attempt < 3) throw new OutOfStock(`attempt ${delivery.attempt}`);
    });
    bus.subscribe('shop.order.rejected', () => {
      throw new OutOfStock('never');
    });
    await bus.ready();

    const produced = await produce({ url: server.url, namespace, transport: 'streams' });
    const send = named(produced, 'send shop.order.placed')[0]!;
    const sendRejected = named(produced, 'send shop.order.rejected')[0]!;

    const placed = (await processed('process shop.order.placed', 3)).sort((a, b) => attempt(a) - attempt(b));
    expect(placed.map(attempt)).toEqual([1, 2, 3]);
    expect(placed.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    for (const s of placed) expect(s).toMatchObject({ traceId: send.traceId, parentSpanId: send.spanId, events: [] });
    expect(deliveries.map((d) => d.onFailure)).toEqual(['retry', 'retry', 'dead-letter']);

    const rejected = (await processed('process shop.order.rejected', 3)).sort((a, b) => attempt(a) - attempt(b));
    expect(rejected.map(attempt)).toEqual([1, 2, 3]);
    expect(rejected.every((s) => s.status.code === SpanStatusCode.ERROR && s.parentSpanId === sendRejected.spanId)).toBe(true);
    expect(rejected.map((s) => s.events)).toEqual([[], [], ['messaging.dotbus.dead_letter']]);
  });
});
