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

describe('batch options', () => {
  it('default to 100 events, the end of the turn and 1 MiB, and take their bounds', () => {
    expect(batchLimitsOf({})).toEqual({ maxEvents: 100, flushMs: 0, maxBytes: 1024 * 1024 });
    expect(batchLimitsOf({ maxEvents: 1, flushMs: 60_000, maxBytes: 1 })).toEqual({ maxEvents: 1, flushMs: 60_000, maxBytes: 1 });
  });

  it.each([
    [{ maxEvents: 0 }, 'option `batch.maxEvents`: must be an integer ≥ 1'],
    [{ maxEvents: 2.5 }, 'option `batch.maxEvents`: must be an integer ≥ 1'],
    [{ flushMs: -1 }, 'option `batch.flushMs`: must be 0–60,000 ms (0: the end of the current event-loop turn)'],
    [{ flushMs: 60_001 }, 'option `batch.flushMs`: must be 0–60,000 ms (0: the end of the current event-loop turn)'],
    [{ flushMs: Number.NaN }, 'option `batch.flushMs`: must be 0–60,000 ms (0: the end of the current event-loop turn)'],
    [{ maxBytes: 0.5 }, 'option `batch.maxBytes`: must be a positive number of bytes'],
    [{ maxBytes: Number.NaN }, 'option `batch.maxBytes`: must be a positive number of bytes'],
  ])('refuse %o and say why', (options, message) => {
    expect(() => batchLimitsOf(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message }));
  });
});

describe('PubSubBatcher with several types', () => {
  const Pong = defineEvent({ type: 'lab.pong', version: '1.0.0', schema: Type.Object({ n: Type.Integer() }) });

  it('keeps one batch per type, each in publish order, and counts them all', async () => {
    const sent: [string, number[]][] = [];
    // A clock that stands still: the hold limit never cuts the run short, however slow this machine.
    const batcher = new PubSubBatcher(batchLimitsOf({ maxEvents: 3 }), (type, entries) => void sent.push([type, entries.map((e) => (e.event.data as { n: number }).n)]), () => 0);
    void batcher.add(ping(1));
    void batcher.add(Pong.create({ n: 2 }));
    void batcher.add(ping(3));
    expect(batcher.size).toBe(3);
    void batcher.add(ping(5));
    expect(sent).toEqual([['lab.ping', [1, 3, 5]]]);
    expect(batcher.size).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([['lab.ping', [1, 3, 5]], ['lab.pong', [2]]]);
    expect(batcher.size).toBe(0);
  });

  it('passes each event its first payload and settles its receipt through the entry', async () => {
    const batcher = new PubSubBatcher(batchLimitsOf({}), (_type, entries) => {
      for (const e of entries) e.resolve(e.payload === undefined ? { status: 'accepted' } : { status: 'buffered' });
    }, () => 0);
    const [fresh, resent] = await Promise.all([batcher.add(ping(1)), batcher.add(ping(2), '{"first":"payload"}')]);
    expect([fresh.status, resent.status]).toEqual(['accepted', 'buffered']);
  });
});
