/** Unit tests of the heartbeat encoding; no server needed. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec } from '../../../src/index.js';
import { DecodeError, MAX_PRODUCER_ID_LENGTH } from '../../../src/internal.js';
import { decodeHeartbeat, encodeHeartbeat } from '../../../src/redis/pubsub/heartbeat.js';
import { builtInSamples } from '../../conformance/samples.js';

describe('heartbeats', () => {
  it('round-trips and rejects hostile ones', () => {
    const hb = decodeHeartbeat(encodeHeartbeat('p-1', new Map([['a.b', 3]])));
    expect(hb).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', 3]]) });
    for (const bad of ['nope', '[]', '{"v":2}', '{"v":1,"producerid":"","seqs":{}}', '{"v":1,"producerid":"p","seqs":{"a b":1}}',
      '{"v":1,"producerid":"p","seqs":{"a":-1}}', '{"v":1,"producerid":"p","seqs":{"__proto__":1}}']) {
      expect(decodeHeartbeat(bad)).toMatchObject({ code: 'DECODE_FAILED' });
    }
  });
});

describe('heartbeat producer ids', () => {
  it('allow exactly what an event\'s producerid allows (one shared limit)', () => {
    const codec = new JsonCodec(new EventRegistry(BUILT_IN_EVENTS));
    const event = codec.encode(builtInSamples()[0]!);
    expect(codec.decode(JSON.stringify({ ...(JSON.parse(event) as object), producerid: 'p'.repeat(MAX_PRODUCER_ID_LENGTH), producerseq: '1' })).ok).toBe(true);
    const ok = decodeHeartbeat(encodeHeartbeat('p'.repeat(MAX_PRODUCER_ID_LENGTH), new Map([['a.b', 1]])));
    expect(ok).not.toBeInstanceOf(DecodeError);
    for (const id of ['p'.repeat(MAX_PRODUCER_ID_LENGTH + 1), 'p\nq', 'p\u0085', 'p\u202eq', 'p\ud800']) {
      expect(decodeHeartbeat(encodeHeartbeat(id, new Map([['a.b', 1]]))), JSON.stringify(id)).toMatchObject({ code: 'DECODE_FAILED', reason: 'not-a-cloudevent' });
      const stamped = JSON.stringify({ ...(JSON.parse(event) as object), producerid: id, producerseq: '1' });
      expect(codec.decode(stamped).ok, JSON.stringify(id)).toBe(false);
    }
  });

  it('refuse bytes that are not UTF-8', () => {
    const raw = Buffer.concat([Buffer.from('{"v":1,"producerid":"p'), Buffer.from([0xff]), Buffer.from('","seqs":{"a.b":1}}')]);
    expect(decodeHeartbeat(raw)).toMatchObject({ code: 'DECODE_FAILED', reason: 'malformed-json' });
    expect(decodeHeartbeat(Buffer.from(encodeHeartbeat('p-é', new Map([['a.b', 2]]))))).toEqual({ producerId: 'p-é', sequences: new Map([['a.b', 2]]) });
  });
});
