/**
 * A Redis benchmark worker process: one producer or consumer, raw or hand-written ioredis or
 * dotbus, driven over IPC by bench/cases/redis.ts. See {@link Role}.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createBus, EventRegistry, JsonCodec, type Transport } from 'dotbus';
import { redisPubSub, redisStreams } from 'dotbus/redis';
import { Redis } from 'ioredis';
import { BenchOrder, BenchPing, buildOrders, orderData } from '../events.js';
import { AllocationMeter } from './allocation.js';
import { monotonicUs, STREAM_FIELDS, STREAM_GROUP, type Command, type Report, type Side, type WorkerConfig } from './protocol.js';

const config = JSON.parse(process.env['BENCH_WORKER'] ?? '{}') as WorkerConfig;
const EVENTS = [BenchOrder, BenchPing] as const;
const POOL = 1024;
/** Events per awaited chunk of a full-speed producer: one pipeline each. */
const CHUNK = 1000;
/** The stream the raw and hand-written clients use. */
const STREAM_KEY = `${config.namespace}:events`;

function tell(report: Report): void {
  process.send?.(report);
}

/** A producer: publishes `n` events at full speed or at a steady rate. */
interface Producer {
  /** Full speed, awaited in chunks of {@link CHUNK}; `build`: see {@link Command}. */
  burst(n: number, build: boolean): Promise<void>;
  /** One event built now, carrying the send time (latency runs); not awaited. */
  one(i: number): void;
}

// ---------------------------------------------------------------------------------------------
// Raw ioredis

function rawClient(): Redis {
  return new Redis(config.url, { lazyConnect: false, maxRetriesPerRequest: null });
}

/** The payloads raw producers send: exactly what dotbus sends (stamped CloudEvents JSON). */
function rawPayloads(): string[] {
  const codec = new JsonCodec(new EventRegistry([...EVENTS]));
  const producerId = randomUUID();
  return buildOrders(POOL).map((e, i) => codec.encode(e, { producerId, sequence: i + 1 }));
}

/** What a hand-written client sends: the envelope built now, with its own id and time, and stringified. */
function handEnvelope(type: string, data: unknown): string {
  return JSON.stringify({
    specversion: '1.0', id: randomUUID(), source: '/bench', type, time: new Date().toISOString(),
    datacontenttype: 'application/json', schemaversion: '1.0.0', data,
  });
}

/** One latency probe, built by hand (raw and hand-written clients alike). */
function rawPing(i: number): string {
  return handEnvelope('bench.ping', { ...orderData(i), sentUs: monotonicUs() });
}

/** The data of the pool's events, built beforehand (what an application hands over to publish). */
const DATA = Array.from({ length: POOL }, (_, i) => orderData(i));

function sentUsOf(message: string): number | undefined {
  return (JSON.parse(message) as { data?: { sentUs?: number } }).data?.sentUs;
}

/** `payload(i)`: the `i`-th message of a burst (encoded beforehand, or built by hand now). */
async function rawPubSubProducer(hand: boolean): Promise<Producer> {
  const redis = rawClient();
  const payloads = rawPayloads();
  const payload = hand ? (i: number) => handEnvelope('bench.order.placed', DATA[i & (POOL - 1)]) : (i: number) => payloads[i & (POOL - 1)]!;
  const channel = `${config.namespace}:bench.order.placed`;
  await redis.ping();
  return {
    async burst(n) {
      for (let i = 0; i < n; ) {
        const pipeline = redis.pipeline();
        const end = Math.min(n, i + CHUNK);
        for (; i < end; i++) pipeline.publish(channel, payload(i));
        await pipeline.exec();
      }
    },
    one(i) {
      void redis.publish(`${config.namespace}:bench.ping`, rawPing(i));
    },
  };
}

/** Raw: parses latency probes only. Hand-written: parses every message, as an application must. */
async function rawPubSubConsumer(hand: boolean, onEvent: (sentUs: number | undefined) => void): Promise<void> {
  const redis = rawClient();
  redis.on('pmessage', (_glob: string, channel: string, message: string) => {
    if (hand) onEvent((JSON.parse(message) as { data?: { sentUs?: number } }).data?.sentUs);
    else onEvent(channel.endsWith('.ping') ? sentUsOf(message) : undefined);
  });
  await redis.psubscribe(`${config.namespace}:bench.*`);
}

async function rawStreamsProducer(hand: boolean): Promise<Producer> {
  const redis = rawClient();
  const payloads = rawPayloads();
  const payload = hand ? (i: number) => handEnvelope('bench.order.placed', DATA[i & (POOL - 1)]) : (i: number) => payloads[i & (POOL - 1)]!;
  await redis.ping();
  const xadd = (pipeline: ReturnType<Redis['pipeline']>, type: string, message: string): void => {
    pipeline.xadd(STREAM_KEY, '*', STREAM_FIELDS.type, type, STREAM_FIELDS.message, message);
  };
  return {
    async burst(n) {
      for (let i = 0; i < n; ) {
        const pipeline = redis.pipeline();
        const end = Math.min(n, i + CHUNK);
        for (; i < end; i++) xadd(pipeline, 'bench.order.placed', payload(i));
        await pipeline.exec();
      }
    },
    one(i) {
      void redis.xadd(STREAM_KEY, '*', STREAM_FIELDS.type, 'bench.ping', STREAM_FIELDS.message, rawPing(i));
    },
  };
}

/** XREADGROUP (COUNT 256, BLOCK 1000) → handle (hand-written: JSON.parse each) → XACK of the whole read, in a loop. */
async function rawStreamsConsumer(hand: boolean, onEvent: (sentUs: number | undefined) => void): Promise<void> {
  const redis = rawClient();
  await redis.xgroup('CREATE', STREAM_KEY, STREAM_GROUP, '$', 'MKSTREAM').catch(() => undefined);
  const loop = async (): Promise<void> => {
    for (;;) {
      const reply = (await redis.xreadgroup('GROUP', STREAM_GROUP, 'c1', 'COUNT', 256, 'BLOCK', 1000, 'STREAMS', STREAM_KEY, '>')) as
        | [string, [string, string[]][]][]
        | null;
      if (reply === null) continue;
      const entries = reply[0]![1];
      const ids: string[] = [];
      for (const [id, fields] of entries) {
        ids.push(id);
        if (hand) onEvent(sentUsOf(fields[3]!));
        else onEvent(fields[1] === 'bench.ping' ? sentUsOf(fields[3]!) : undefined);
      }
      if (ids.length > 0) await redis.xack(STREAM_KEY, STREAM_GROUP, ...ids);
    }
  };
  void loop().catch((e: unknown) => tell({ kind: 'error', message: String(e) }));
}

// ---------------------------------------------------------------------------------------------
// dotbus

/** `batch`: batch mode on, at its defaults. */
function busTransport(streams: boolean, batch = false): Transport {
  const connection = { url: config.url };
  if (!streams) return redisPubSub({ connection, namespace: config.namespace, heartbeatMs: 1000, ...(batch ? { batch: {} } : {}) });
  return redisStreams({ connection, namespace: config.namespace, group: STREAM_GROUP, startFrom: 'now', retention: { maxLen: 0 } });
}

async function busProducer(streams: boolean, batch: boolean): Promise<Producer> {
  const bus = createBus({ events: EVENTS, transport: busTransport(streams, batch), source: '/bench' });
  await bus.ready();
  const events = buildOrders(POOL);
  return {
    async burst(n, build) {
      for (let i = 0; i < n; ) {
        const pending: Promise<unknown>[] = [];
        const end = Math.min(n, i + CHUNK);
        if (build) for (; i < end; i++) pending.push(bus.emit('bench.order.placed', DATA[i & (POOL - 1)]!));
        else for (; i < end; i++) pending.push(bus.publish(events[i & (POOL - 1)]!));
        await Promise.all(pending);
      }
    },
    one(i) {
      void bus.emit('bench.ping', { ...orderData(i), sentUs: monotonicUs() });
    },
  };
}

let busDropped: () => number = () => 0;

async function busConsumer(streams: boolean, onEvent: (sentUs: number | undefined) => void): Promise<void> {
  const bus = createBus({ events: EVENTS, transport: busTransport(streams), source: '/bench' });
  bus.subscribe('bench.*', (e) => {
    onEvent(e.eventType === 'bench.ping' ? (e.data as { sentUs?: number }).sentUs : undefined);
  });
  await bus.ready();
  busDropped = () => Object.values(bus.stats().dropped).reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------------
// Driver

/** RSS now, and the bytes `meter` counted. */
function memory(meter: AllocationMeter): { rssBytes: number; allocatedBytes: number; cpuMicros: number } {
  return { cpuMicros: meter.cpuMicros(), allocatedBytes: meter.stop(), rssBytes: process.memoryUsage.rss() };
}

async function runProducer(producer: Producer, n: number, rate: number, build: boolean): Promise<void> {
  const meter = new AllocationMeter();
  const start = performance.now();
  if (rate <= 0) await producer.burst(n, build);
  else {
    let sent = 0;
    while (sent < n) {
      const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) producer.one(sent++);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const seconds = (performance.now() - start) / 1000;
  tell({ kind: 'produced', n, seconds, ...memory(meter) });
}

async function main(): Promise<void> {
  const [side, kind, part] = config.role.split('-') as [Side, 'pubsub' | 'streams', 'producer' | 'consumer'];
  const streams = kind === 'streams';
  const hand = side === 'hand';
  let expected = 0;
  let count = 0;
  let first = 0;
  let latencies: Float64Array | undefined;
  let meter: AllocationMeter | undefined;
  const onEvent = (sentUs: number | undefined): void => {
    if (count === 0) first = performance.now();
    if (latencies !== undefined && sentUs !== undefined) latencies[count] = monotonicUs() - sentUs;
    if (++count !== expected) return;
    const seconds = (performance.now() - first) / 1000;
    const figures = meter === undefined ? { allocatedBytes: NaN, cpuMicros: NaN, rssBytes: process.memoryUsage.rss() } : memory(meter);
    meter = undefined;
    tell({
      kind: 'done', count, seconds, dropped: busDropped(), ...figures,
      latenciesUs: latencies === undefined ? [] : Array.from(latencies),
    });
  };
  let producer: Producer | undefined;
  if (part === 'producer') {
    if (side === 'raw' || hand) producer = await (streams ? rawStreamsProducer(hand) : rawPubSubProducer(hand));
    else producer = await busProducer(streams, side === 'batch');
  } else if (side === 'raw' || hand) await (streams ? rawStreamsConsumer(hand, onEvent) : rawPubSubConsumer(hand, onEvent));
  else await busConsumer(streams, onEvent);

  process.on('message', (m: Command) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'expect') {
      expected = m.n;
      count = 0;
      latencies = m.latency ? new Float64Array(m.n) : undefined;
      meter?.stop();
      meter = new AllocationMeter();
      tell({ kind: 'armed' });
    }
    if (m.cmd === 'produce' && producer !== undefined) {
      runProducer(producer, m.n, m.rate, m.build).catch((e: unknown) => tell({ kind: 'error', message: String(e) }));
    }
  });
  tell({ kind: 'ready' });
}

main().catch((e: unknown) => {
  tell({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  setTimeout(() => process.exit(1), 100);
});
