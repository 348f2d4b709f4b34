import { describe, expect, it } from 'vitest';
import { asReplayOf } from '../../../src/internal.js';
import { EventRegistry, JsonCodec } from '../../../src/index.js';
import { OrderProbe } from '../../conformance/audit-samples.js';

describe('the replay mark (CloudEvents extension replayof)', () => {
  const codec = new JsonCodec(new EventRegistry([OrderProbe]));
  const original = OrderProbe.create('order.placed', { n: 1 });

  it('travels through the codec and JSON.stringify, with a new id, and stays vouched for', () => {
    const replay = asReplayOf(original, '8f4f3a2e-4a39-4e0e-9a51-1f0b9a2c7d10')!;
    expect(replay).toMatchObject({ eventId: '8f4f3a2e-4a39-4e0e-9a51-1f0b9a2c7d10', replayOf: original.eventId, data: original.data });
    const wire = codec.encode(replay);
    expect(JSON.parse(wire)).toMatchObject({ id: replay.eventId, replayof: original.eventId });
    expect(JSON.parse(JSON.stringify(replay))).toEqual(JSON.parse(wire));
    const back = codec.decode(wire);
    expect(back.ok && back.event.replayOf).toBe(original.eventId);
    // A live event has no mark at all.
    expect('replayOf' in original).toBe(false);
    expect(codec.encode(original)).not.toContain('replayof');
  });

  it('refuses a replayof that is not an id', () => {
    for (const bad of ['', 5, 'a\u0000b', '\u202eevil']) {
      const wire = JSON.stringify({ ...JSON.parse(codec.encode(original)), replayof: bad });
      const r = codec.decode(wire);
      expect(r.ok).toBe(false);
    }
  });
});
