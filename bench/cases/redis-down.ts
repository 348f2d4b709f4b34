/**
 * `redis.publish.down`: how long an awaited `emit` takes while Redis is unreachable (a server that
 * accepts TCP and never answers: the connection stays in its connect timeout). A publish must
 * never wait on the network, so the p99 must stay at the cost of buffering an event (≤ 1 ms).
 */
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createBus, type Transport } from 'dotbus';
import { redisPubSub, redisStreams } from 'dotbus/redis';
import { BenchOrder, orderData } from '../events.js';
import { quantile, type BenchConfig, type CaseResult } from '../harness.js';

async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Microseconds of each awaited emit, sorted. */
async function emitTimes(transport: Transport, n: number): Promise<Float64Array> {
  const bus = createBus({ events: [BenchOrder], transport, onError: () => {} });
  const times = new Float64Array(n);
  const data = orderData(1);
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const receipt = await bus.emit('bench.order.placed', data);
    times[i] = (performance.now() - start) * 1000;
    if (receipt.status !== 'buffered' && receipt.status !== 'dropped') throw new Error(`emit while Redis is down: ${receipt.status}`);
  }
  await bus.close();
  return times.sort();
}

export async function redisPublishDown(cfg: BenchConfig): Promise<CaseResult> {
  const n = cfg.quick ? 500 : 5_000;
  const silent = await silentServer();
  try {
    const options = { connection: { url: silent.url, connectTimeoutMs: 10_000 }, closeTimeoutMs: 100, buffer: { maxEvents: n } };
    const pubsub = await emitTimes(redisPubSub(options), n);
    const streams = await emitTimes(redisStreams(options), n);
    const p99 = Math.max(quantile(pubsub, 0.99), quantile(streams, 0.99));
    return {
      name: 'redis.publish.down', unit: 'µs p99', value: p99, baseline: null, baselineName: null, ratio: null,
      target: '≤ 1000 µs', pass: p99 <= 1000,
      details: { emits: n, pubsubP99Us: quantile(pubsub, 0.99), streamsP99Us: quantile(streams, 0.99), pubsubMaxUs: pubsub[n - 1]!, streamsMaxUs: streams[n - 1]! },
    };
  } finally {
    await silent.close();
  }
}
