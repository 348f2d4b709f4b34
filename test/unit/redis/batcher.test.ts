import { describe, expect, it } from 'vitest';
import { defineEvent, Type, type BusEvent } from '../../../src/index.js';
import { BATCH_HOLD_LIMIT_MS, batchLimitsOf, PubSubBatcher, type BatchEntry } from '../../../src/redis/pubsub/batcher.js';

const Ping = defineEvent({ type: 'lab.ping', version: '1.0.0', schema: Type.Object({ n: Type.Integer() }) });
const ping = (n: number): BusEvent => Ping.create({ n });

/** A batcher on a clock the test moves (`clock.ms`), whose sends are recorded as the `n` of each event. */
function recording(options: Parameters<typeof batchLimitsOf>[0]): { batcher: PubSubBatcher; sent: number[][]; clock: { ms: number } } {
  const sent: number[][] = [];
  const clock = { ms: 1_000 };
  const send = (_type: string, entries: BatchEntry[]): void => void sent.push(entries.map((e) => (e.event.data as { n: number }).n));
  return { batcher: new PubSubBatcher(batchLimitsOf(options), send, () => clock.ms), sent, clock };
}

describe('PubSubBatcher', () => {
  it('with flushMs 0, sends what one synchronous run published as one message when the turn ends', async () => {
    const { batcher, sent } = recording({});
    for (let n = 1; n <= 3; n++) void batcher.add(ping(n));
    expect(sent).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it('with flushMs 0, sends a long run once its first event has waited the hold limit, then starts a new batch', async () => {
    const { batcher, sent, clock } = recording({});
    void batcher.add(ping(1));
    clock.ms += BATCH_HOLD_LIMIT_MS / 2;
    void batcher.add(ping(2));
    expect(sent).toEqual([]);
    clock.ms += BATCH_HOLD_LIMIT_MS / 2;
    void batcher.add(ping(3));
    expect(sent).toEqual([[1, 2, 3]]);
    void batcher.add(ping(4));
    expect(batcher.size).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });

  it('with a flush window, holds events for the whole window however long their run', () => {
    const { batcher, sent, clock } = recording({ flushMs: 50 });
    void batcher.add(ping(1));
    clock.ms += BATCH_HOLD_LIMIT_MS * 10;
    void batcher.add(ping(2));
    expect(sent).toEqual([]);
    batcher.flush();
    expect(sent).toEqual([[1, 2]]);
  });

  it('with a flush window, holds events past the end of the turn until the window ends', async () => {
    const { batcher, sent } = recording({ flushMs: 20 });
    void batcher.add(ping(1));
    await new Promise((r) => setImmediate(r));
    void batcher.add(ping(2));
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toEqual([[1, 2]]);
  });

  it('sends a type as soon as it holds maxEvents', () => {
    const { batcher, sent } = recording({ maxEvents: 2 });
    for (let n = 1; n <= 5; n++) void batcher.add(ping(n));
    expect(sent).toEqual([[1, 2], [3, 4]]);
    expect(batcher.size).toBe(1);
    batcher.flush();
  });
});
