import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec } from '../../../src/index.js';
import { MAX_PRODUCER_ID_LENGTH } from '../../../src/internal.js';
import { ChannelNames } from '../../../src/redis/pubsub/channels.js';
import { MAX_HEARTBEAT_TYPES } from '../../../src/redis/pubsub/heartbeat.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { Tick } from '../../fixtures/redis-pubsub/events.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const MB = 1024 * 1024;
/** Above 1 MiB, so that a 1 MiB producer id is refused for what it is, not for the message's size. */
const MAX_BYTES = 2 * MB;
/** The fuzzed consumer's cap on tracked (producer, type) pairs; forged heartbeats list far more. */
const MAX_TRACKED = 2_000;

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T,>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function envelope(type: string, data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { specversion: '1.0', id: 'f-1', source: '/fuzz', type, time: new Date().toISOString(), schemaversion: '1.0.0', ...extra, data };
}

/** `value` as JSON with `key` renamed to `to` (keeping its place). */
function renamed(value: Record<string, unknown>, key: string, to: string): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).map(([k, v]) => [k === key ? to : k, v])));
}

/** Stands for the namespace's heartbeat channel in {@link Hostile}. */
const HEARTBEAT = '(heartbeat)';

/** One hostile message: the channel suffix it goes on, its bytes, and the reason it must be refused with. */
interface Hostile {
  readonly channel: string;
  readonly payload: string | Buffer;
  readonly reason: string;
}

const h = (channel: string, payload: string | Buffer, reason: string): Hostile => ({ channel, payload, reason });

/** Text a CloudEvents String may not hold: C0, DEL, C1, noncharacters, lone surrogates; and bidi formatting characters. */
const BAD_CHARACTERS = ['\u0000', '\u0007', '\n', '\u001b', '\u007f', '\u0085', '\u009b', '\u061c', '\u200e', '\u200f', '\u202a', '\u202d', '\u202e', '\u2066', '\u2068', '\u2069', '\ufffe', '\ud800', '\udfff'];
/** Times that name no instant, or one RFC 3339 can't write. */
const IMPOSSIBLE_TIMES = [
  '2024-02-30T12:00:00Z', '2023-02-29T00:00:00Z', '2026-04-31T10:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T23:60:00Z',
  '2016-12-31T23:59:60Z', '2026-11-26T10:00:00+24:00', '2026-11-26T10:00:00-00:60', '9999-12-31T23:59:59-23:59',
  '0000-01-01T00:00:00+00:01', '2026-13-01T00:00:00Z', '2026-11-26T10:00:00', '+002026-11-26T10:00:00Z', '2026-11-26T10:00:00.Z',
];
/** Misspelt or foreign attribute names, each replacing a real one. */
const WRONG_NAMES: readonly [string, string][] = [
  ['type', 'Type'], ['specversion', 'specVersion'], ['id', 'ID'], ['time', 'time '], ['source', 'src_'], ['data', 'data_base64'], ['data', 'Data'], ['schemaversion', 'schemaVersion'],
];

/** A message that is valid but for its last byte of data: `bytes` spliced into a data string. */
function withBytes(bytes: number[], n: number): Buffer {
  const json = JSON.stringify(envelope('it.tick', { n, run: 'fuzz', payload: 'X' }));
  const at = json.indexOf('"X"') + 1;
  return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from(bytes), Buffer.from(json.slice(at + 1))]);
}

/** One of the many small hostile messages. */
function small(rand: () => number, i: number): Hostile {
  const good = { n: i, run: 'fuzz', payload: 'p' };
  const kinds: (() => Hostile)[] = [
    // Bytes: not UTF-8 at all, not JSON, not an object.
    () => h('it.tick', Buffer.from([0xff, ...Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))]), 'malformed-json'),
    () => h('it.tick', Array.from({ length: Math.floor(rand() * 100) }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('') + '{', 'malformed-json'),
    () => h('it.tick', withBytes(pick(rand, [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]), i), 'malformed-json'),
    () => h('it.tick', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(envelope('it.tick', good)))]), 'malformed-json'),
    // An array is a CloudEvents batch: each element is refused on its own (one here), a huge one as a whole.
    () => h('it.tock', JSON.stringify([Math.floor(rand() * 100)]), 'not-a-cloudevent'),
    () => h('it.tick', String(Math.floor(rand() * 1e9)), 'not-a-cloudevent'),
    () => h('it.tick', 'null', 'not-a-cloudevent'),
    () => h('it.tick', `[${'0,'.repeat(20_000)}0]`, 'oversize'),
    // Envelopes that are almost right.
    () => h('it.tick', JSON.stringify({ ...envelope('it.tick', good), specversion: '0.3' }), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { time: pick(rand, IMPOSSIBLE_TIMES) })), 'not-a-cloudevent'),
    () => {
      const [from, to] = pick(rand, WRONG_NAMES);
      return h('it.tick', renamed(envelope('it.tick', good), from, to), 'not-a-cloudevent');
    },
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { producerId: 'p', producerseq: '1' })), 'not-a-cloudevent'),
    () => {
      const field = pick(rand, ['id', 'source', 'producerid']);
      const text = `a${pick(rand, BAD_CHARACTERS)}b`;
      return h('it.tick', JSON.stringify(envelope('it.tick', good, { producerid: 'p', producerseq: String(i + 1), [field]: text })), 'not-a-cloudevent');
    },
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { traceparent: TRACEPARENT, tracestate: `a=1${pick(rand, ['\n', '\u0085', '\u202e', 'é'])}` })), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { producerid: 'p', producerseq: '-4' })), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { producerid: 'p' })).replace('"producerid":"p"', '"producerid":"p","producerseq":-0'), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good)).replace('"specversion":"1.0"', '"specversion":1.0'), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good)).replace(/"time":"[^"]*"/, '"time":1e400'), 'not-a-cloudevent'),
    () => h('it.tock', JSON.stringify(envelope('it.tick', good)), 'not-a-cloudevent'), // type and channel disagree
    // Data that breaks the schema, odd numbers included.
    () => h('it.tick', JSON.stringify(envelope('it.tick', { ...good, n: 'not a number' })), 'schema-violation'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', { run: 'fuzz' })), 'schema-violation'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good)).replace(`"n":${i}`, pick(rand, ['"n":1e400', '"n":-1e400', '"n":1.5', '"n":-1'])), 'schema-violation'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', { ...good, payload: Array.from({ length: 30_000 }, () => 0) })), 'schema-violation'),
    () => h('it.unknown', JSON.stringify(envelope('it.unknown', good)), 'unknown-type'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { schemaversion: '9.0.0' })), 'unsupported-version'),
    // Prototype pollution, deep nesting.
    () => h('it.tick', `{"specversion":"1.0","__proto__":{"polluted":true},"type":"it.tick","data":{}}`, 'forbidden-key'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', JSON.parse(`{"n":1,"run":"f","payload":"","constructor":{"prototype":{"x":1}}}`))), 'forbidden-key'),
    () => h('it.tick', '['.repeat(5_000) + ']'.repeat(5_000), 'too-deep'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good)).replace('"payload":"p"', `"payload":${'{"a":'.repeat(300)}1${'}'.repeat(300)}`), 'too-deep'),
    // Heartbeats that are not.
    () => h(HEARTBEAT, JSON.stringify({ v: 1, producerid: 'x', seqs: { 'not a type!': 1 } }), 'not-a-cloudevent'),
    () => h(HEARTBEAT, '{"v":1,"producerid":"x","seqs":{"__proto__":{"a":1}}}', 'forbidden-key'),
    () => h(HEARTBEAT, JSON.stringify({ v: 1, producerid: `x${pick(rand, BAD_CHARACTERS)}`, seqs: { 'it.tick': 1 } }), 'not-a-cloudevent'),
    () => h(HEARTBEAT, JSON.stringify({ v: 1, producerid: 'x', seqs: { 'it.tick': pick(rand, [0, -1, 1.5, 2 ** 53, '1']) } }), 'not-a-cloudevent'),
    () => h(HEARTBEAT, Buffer.concat([Buffer.from('{"v":1,"producerid":"x'), Buffer.from([0xc3]), Buffer.from('","seqs":{}}')]), 'malformed-json'),
  ];
  return pick(rand, kinds)();
}

/** One of the few big ones (a megabyte or so each). */
function big(k: number): Hostile {
  const good = { n: k, run: 'fuzz', payload: 'p' };
  const kinds: (() => Hostile)[] = [
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { producerid: `${k}-`.padEnd(MB, 'p'), producerseq: '1' })), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { producerid: 'p'.repeat(MAX_PRODUCER_ID_LENGTH + 1), producerseq: '1' })), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', good, { traceparent: TRACEPARENT, tracestate: `a=${'x'.repeat(MB / 2)}` })), 'not-a-cloudevent'),
    () => h('it.tick', JSON.stringify(envelope('it.tick', { ...good, payload: 'x'.repeat(MAX_BYTES) })), 'oversize'),
    () => h(HEARTBEAT, JSON.stringify({ v: 1, producerid: `${k}-`.padEnd(MB, 'p'), seqs: { 'it.tick': 1 } }), 'oversize'),
    () => h(HEARTBEAT, JSON.stringify({ v: 1, producerid: 'x', seqs: Object.fromEntries(Array.from({ length: MAX_HEARTBEAT_TYPES + 1 }, (_, t) => [`it.t${t}`, 1])) }), 'not-a-cloudevent'),
  ];
  return kinds[k % kinds.length]!();
}

/** A well-formed heartbeat under a new producer id listing `types` types: nothing to refuse, but it must not grow memory. */
function forgedHeartbeat(k: number, types: number): string {
  return JSON.stringify({ v: 1, producerid: `forged-${k}`, seqs: Object.fromEntries(Array.from({ length: types }, (_, t) => [`it.f${k}x${t}`, 1 + t])) });
}

/** A full garbage collection in this worker (vitest doesn't start it with `--expose-gc`). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** What the test keeps of every `onDecodeError` call (not the message: a megabyte of it would weigh on the memory check). */
interface DeadLetter {
  readonly code: string;
  readonly reason: string;
  readonly channel: string;
  readonly bytes: number;
}

describe('Redis Pub/Sub against hostile input', () => {
  it('survives 2,000 hostile messages of every kind, counts each one with its reason, bounds memory, and still delivers the valid events in order', async () => {
    const namespace = `fuzz-${process.pid}`;
    const names = new ChannelNames(namespace);
    const dead: DeadLetter[] = [];
    let deadHeartbeats = 0;
    const errors: string[] = [];
    const c = new Consumer(server.url, namespace, {
      maxMessageBytes: MAX_BYTES,
      maxTrackedStreams: MAX_TRACKED,
      onDecodeError: ({ error, channel, raw }) => {
        dead.push({ code: error.code, reason: error.reason, channel, bytes: raw.length });
        if (channel === names.heartbeat) deadHeartbeats++;
      },
    });
    c.bus.subscribe('system.error.decode', (e) => void errors.push(e.data.code));
    // Strings inside data are the application's: control, C1 and bidi characters arrive untouched.
    const validPayload = 'ok\u0000\u001b[2J\u0085\u202e\u2066😀';
    let payloadsIntact = 0;
    c.bus.subscribe('it.tick', (e) => void (e.data.payload === validPayload && payloadsIntact++));
    const raw = new Redis(server.url);
    const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, Tick]));
    try {
      await c.bus.ready();
      collectGarbage();
      const heapBefore = process.memoryUsage().heapUsed;
      const rand = prng(0xd07b05);
      const hostileCount = 2_000;
      const expected: Record<string, number> = {};
      let valid = 0;
      let forged = 0;
      let bigOnes = 0;
      let onEventChannels = 0;
      let onHeartbeatChannel = 0;
      /** Whether the consumer took in (decoded or refused) everything sent so far. */
      const caughtUp = (): boolean => {
        const st = c.stats();
        return st.received >= onEventChannels && st.heartbeats + deadHeartbeats >= onHeartbeatChannel;
      };
      let pipeline = raw.pipeline();
      for (let i = 0; i < hostileCount; i++) {
        const m = i % 100 === 99 ? big(bigOnes++) : small(rand, i);
        expected[m.reason] = (expected[m.reason] ?? 0) + 1;
        pipeline.publish(m.channel === HEARTBEAT ? names.heartbeat : names.channelOf(m.channel), m.payload);
        if (m.channel === HEARTBEAT) onHeartbeatChannel++;
        else onEventChannels++;
        if (i % 50 === 25) {
          pipeline.publish(names.heartbeat, forgedHeartbeat(forged++, 1_000));
          onHeartbeatChannel++;
        }
        if (i % 4 === 0) {
          onEventChannels++;
          const n = valid++;
          const event = Tick.create('it.tick', { n, run: 'fuzz', payload: validPayload });
          pipeline.publish(names.channelOf('it.tick'), codec.encode(event, { producerId: 'fuzzer', sequence: n + 1 }));
        }
        // A few megabytes at a time, each handled before the next: Redis disconnects a subscriber 32 MB behind.
        if (i % 100 === 99) {
          await pipeline.exec();
          pipeline = raw.pipeline();
          await waitUntil(caughtUp, 30_000, `the batch ending at ${i}`);
        }
      }
      await pipeline.exec();
      await waitUntil(caughtUp, 30_000, 'all messages handled');
      await c.bus.drain();
      const s = c.stats();
      // Every hostile message was counted, handed to onDecodeError and reported, with the reason its kind calls for.
      expect(s.decodeErrors).toBe(hostileCount);
      expect(dead).toHaveLength(hostileCount);
      expect(dead.every((d) => d.code === 'DECODE_FAILED' && (d.channel.startsWith(`${namespace}:`) || d.channel === names.heartbeat) && d.bytes > 0)).toBe(true);
      const reasons: Record<string, number> = {};
      for (const d of dead) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
      expect(reasons).toEqual(expected);
      expect(Object.keys(reasons).length).toBeGreaterThanOrEqual(7);
      expect(errors.length).toBe(hostileCount);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      // The valid events arrived, in order, intact, none lost or dropped: published = delivered + dropped.
      expect(c.delivered).toBe(valid);
      expect([...c.seen]).toEqual(Array.from({ length: valid }, (_, n) => n));
      expect(payloadsIntact).toBe(valid);
      expect(c.delivered + c.dropped()).toBe(valid);
      // Well-formed forged heartbeats can't be told from real ones: they are taken, but memory stays capped.
      expect(s.heartbeats).toBe(forged);
      expect(s.trackedStreams).toBeLessThanOrEqual(MAX_TRACKED);
      expect(s.evictedStreams).toBeGreaterThanOrEqual(forged * 1_000 - MAX_TRACKED);
      collectGarbage();
      const grown = process.memoryUsage().heapUsed - heapBefore;
      expect(grown, `heap grew by ${(grown / MB).toFixed(1)} MB`).toBeLessThan(16 * MB);
      expect(c.transport.status).toBe('up');
    } finally {
      raw.disconnect();
      await c.bus.close();
    }
  });
});
