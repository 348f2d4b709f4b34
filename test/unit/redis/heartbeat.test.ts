/** Unit tests of the heartbeat encoding; no server needed. */
import { describe, expect, it } from 'vitest';
import { decodeHeartbeat, encodeHeartbeat } from '../../../src/redis/pubsub/heartbeat.js';

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
