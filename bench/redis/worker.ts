/**
 * A Redis benchmark worker process: one producer or consumer, raw ioredis or dotbus, driven over
 * IPC by bench/cases/redis.ts. See {@link Role}.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createBus, EventRegistry, JsonCodec, type Transport } from 'dotbus';
import { redisPubSub, redisStreams } from 'dotbus/redis';
import { Redis } from 'ioredis';
import { BenchOrder, BenchPing, buildOrders, orderData } from '../events.js';
import { quantile } from '../harness.js';
import { monotonicUs, RAW_STREAM_KEY, STREAM_FIELDS, STREAM_GROUP, type Command, type Report, type WorkerConfig } from './protocol.js';

const config = JSON.parse(process.env['BENCH_WORKER'] ?? '{}') as WorkerConfig;
const EVENTS = [BenchOrder, BenchPing] as const;
const POOL = 1024;
/** Events per awaited chunk of a full-speed producer: one pipeline each. */
const CHUNK = 1000;

function tell(report: Report): void {
  process.send?.(report);
}

/** A producer: publishes `n` events at full speed or at a steady rate. */
interface Producer {
  /** Full speed: prebuilt events, awaited in chunks of {@link CHUNK}. */
  burst(n: number): Promise<void>;
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

/** What a raw client does to publish one latency probe: build the envelope by hand, stringify it. */
function rawPing(i: number): string {
  return JSON.stringify({
    specversion: '1.0', id: randomUUID(), source: '/bench', type: 'bench.ping', time: new Date().toISOString(),
    datacontenttype: 'application/json', schemaversion: '1.0.0', data: { ...orderData(i), sentUs: monotonicUs() },
  });
}

function sentUsOf(message: string): number | undefined {
  return (JSON.parse(message) as { data?: { sentUs?: number } }).data?.sentUs;
}

async function rawPubSubProducer(): Promise<Producer> {
  const redis = rawClient();
  const payloads = rawPayloads();
  const channel = `${config.namespace}:bench.order.placed`;
  await redis.ping();
  return {
    async burst(n) {
      for (let i = 0; i < n; ) {
        const pipeline = redis.pipeline();
        const end = Math.min(n, i + CHUNK);
        for (; i < end; i++) pipeline.publish(channel, payloads[i & (POOL - 1)]!);
        await pipeline.exec();
      }
    },
    one(i) {
      void redis.publish(`${config.namespace}:bench.ping`, rawPing(i));
    },
  };
}

async function rawPubSubConsumer(onEvent: (sentUs: number | undefined) => void): Promise<void> {
  const redis = rawClient();
  redis.on('pmessage', (_glob: string, channel: string, message: string) => {
    onEvent(channel.endsWith('.ping') ? sentUsOf(message) : undefined);
  });
  await redis.psubscribe(`${config.namespace}:bench.*`);
}

async function rawStreamsProducer(): Promise<Producer> {
  const redis = rawClient();
  const payloads = rawPayloads();
  await redis.ping();
  const xadd = (pipeline: ReturnType<Redis['pipeline']>, type: string, message: string): void => {
    pipeline.xadd(RAW_STREAM_KEY, '*', STREAM_FIELDS.type, type, STREAM_FIELDS.message, message);
  };
  return {
    async burst(n) {
      for (let i = 0; i < n; ) {
        const pipeline = redis.pipeline();
        const end = Math.min(n, i + CHUNK);
        for (; i < end; i++) xadd(pipeline, 'bench.order.placed', payloads[i & (POOL - 1)]!);
        await pipeline.exec();
      }
    },
    one(i) {
      void redis.xadd(RAW_STREAM_KEY, '*', STREAM_FIELDS.type, 'bench.ping', STREAM_FIELDS.message, rawPing(i));
    },
  };
}

/** XREADGROUP (COUNT 256, BLOCK 1000) → handle → XACK of the whole read, in a loop. */
async function rawStreamsConsumer(onEvent: (sentUs: number | undefined) => void): Promise<void> {
  const redis = rawClient();
  await redis.xgroup('CREATE', RAW_STREAM_KEY, STREAM_GROUP, '$', 'MKSTREAM').catch(() => undefined);
  const loop = async (): Promise<void> => {
    for (;;) {
      const reply = (await redis.xreadgroup('GROUP', STREAM_GROUP, 'c1', 'COUNT', 256, 'BLOCK', 1000, 'STREAMS', RAW_STREAM_KEY, '>')) as
        | [string, [string, string[]][]][]
        | null;
      if (reply === null) continue;
      const entries = reply[0]![1];
      const ids: string[] = [];
      for (const [id, fields] of entries) {
        ids.push(id);
        const type = fields[1];
        onEvent(type === 'bench.ping' ? sentUsOf(fields[3]!) : undefined);
      }
      if (ids.length > 0) await redis.xack(RAW_STREAM_KEY, STREAM_GROUP, ...ids);
    }
  };
  void loop().catch((e: unknown) => tell({ kind: 'error', message: String(e) }));
}

// ---------------------------------------------------------------------------------------------
// dotbus

function busTransport(streams: boolean): Transport {
  const connection = { url: config.url };
  if (!streams) return redisPubSub({ connection, namespace: config.namespace, heartbeatMs: 1000 });
  return redisStreams({ connection, namespace: config.namespace, group: STREAM_GROUP, startFrom: 'now', retention: { maxLen: 0 } });
}

async function busProducer(streams: boolean): Promise<Producer> {
  const bus = createBus({ events: EVENTS, transport: await busTransport(streams), source: '/bench' });
  await bus.ready();
  const events = buildOrders(POOL);
  return {
    async burst(n) {
      for (let i = 0; i < n; ) {
        const pending: Promise<unknown>[] = [];
        const end = Math.min(n, i + CHUNK);
        for (; i < end; i++) pending.push(bus.publish(events[i & (POOL - 1)]!));
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
  const bus = createBus({ events: EVENTS, transport: await busTransport(streams), source: '/bench' });
  bus.subscribe('bench.*', (e) => {
    onEvent(e.eventType === 'bench.ping' ? (e.data as { sentUs?: number }).sentUs : undefined);
  });
  await bus.ready();
  busDropped = () => Object.values(bus.stats().dropped).reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------------
// Driver

async function runProducer(producer: Producer, n: number, rate: number): Promise<void> {
  const start = performance.now();
  if (rate <= 0) await producer.burst(n);
  else {
    let sent = 0;
    while (sent < n) {
      const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) producer.one(sent++);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  tell({ kind: 'produced', n, seconds: (performance.now() - start) / 1000 });
}

async function main(): Promise<void> {
  const [side, kind, part] = config.role.split('-') as ['raw' | 'bus', 'pubsub' | 'streams', 'producer' | 'consumer'];
  const streams = kind === 'streams';
  let expected = 0;
  let count = 0;
  let first = 0;
  let latencies: Float64Array | undefined;
  const onEvent = (sentUs: number | undefined): void => {
    if (count === 0) first = performance.now();
    if (latencies !== undefined && sentUs !== undefined) latencies[count] = monotonicUs() - sentUs;
    if (++count !== expected) return;
    const sorted = latencies === undefined ? undefined : latencies.sort();
    tell({
      kind: 'done', count, seconds: (performance.now() - first) / 1000, dropped: busDropped(),
      p50Us: sorted === undefined ? NaN : quantile(sorted, 0.5), p99Us: sorted === undefined ? NaN : quantile(sorted, 0.99),
    });
  };
  let producer: Producer | undefined;
  if (part === 'producer') {
    producer = side === 'raw' ? await (streams ? rawStreamsProducer() : rawPubSubProducer()) : await busProducer(streams);
  } else if (side === 'raw') await (streams ? rawStreamsConsumer(onEvent) : rawPubSubConsumer(onEvent));
  else await busConsumer(streams, onEvent);

  process.on('message', (m: Command) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'expect') {
      expected = m.n;
      count = 0;
      latencies = m.latency ? new Float64Array(m.n) : undefined;
      tell({ kind: 'armed' });
    }
    if (m.cmd === 'produce' && producer !== undefined) {
      runProducer(producer, m.n, m.rate).catch((e: unknown) => tell({ kind: 'error', message: String(e) }));
    }
  });
  tell({ kind: 'ready' });
}

main().catch((e: unknown) => {
  tell({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  setTimeout(() => process.exit(1), 100);
});
