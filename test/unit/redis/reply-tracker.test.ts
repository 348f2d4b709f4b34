/** ReplyTracker: receipts of writes, the sent and in-flight counts, and the release of waiting publishers when a connection breaks. */
import { describe, expect, it } from 'vitest';
import type { PublishReceipt } from '../../../src/index.js';
import { RECEIPT } from '../../../src/internal.js';
import { ReplyTracker } from '../../../src/redis/reply-tracker.js';

/** A reply the test settles by hand. */
function reply(): { promise: Promise<unknown>; ok: () => void; fail: (e: Error) => void } {
  let ok!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<unknown>((resolve, reject) => {
    ok = () => resolve('OK');
    fail = reject;
  });
  return { promise, ok, fail };
}

const refusedAs = (e: unknown): PublishReceipt => ({ status: 'failed', error: e as PublishReceipt['error'] }) as PublishReceipt;

/** A tracker with two writes waiting for their replies. */
function twoTracked() {
  const tracker = new ReplyTracker();
  const a = reply();
  const b = reply();
  return { tracker, a, b, ra: tracker.track(a.promise, refusedAs), rb: tracker.track(b.promise, refusedAs) };
}

describe('ReplyTracker.track', () => {
  it('counts a write in flight until its reply, then as sent with an accepted receipt', async () => {
    const { tracker, a, b, ra, rb } = twoTracked();
    expect([tracker.inFlight, tracker.sent]).toEqual([2, 0]);
    a.ok();
    expect(await ra).toBe(RECEIPT.accepted);
    expect([tracker.inFlight, tracker.sent]).toEqual([1, 1]);
    b.ok();
    await rb;
    expect([tracker.inFlight, tracker.sent]).toEqual([0, 2]);
  });

  it('gives a refused write the receipt onError makes of the cause, and never counts it as sent', async () => {
    const tracker = new ReplyTracker();
    const r = reply();
    const receipt = tracker.track(r.promise, refusedAs);
    const cause = new Error('NOPERM');
    r.fail(cause);
    expect(await receipt).toEqual({ status: 'failed', error: cause });
    expect([tracker.inFlight, tracker.sent]).toEqual([0, 0]);
  });

  it('releaseAll settles every waiting receipt as buffered at once; the late reply changes no receipt but is still counted', async () => {
    const { tracker, a, b, ra, rb } = twoTracked();
    tracker.releaseAll();
    expect(await ra).toBe(RECEIPT.buffered);
    expect(await rb).toBe(RECEIPT.buffered);
    expect(tracker.inFlight).toBe(2);
    a.ok();
    b.fail(new Error('gone'));
    await new Promise((resolve) => setImmediate(resolve));
    expect([tracker.inFlight, tracker.sent]).toEqual([0, 1]);
    // Released once: a second release finds nobody waiting.
    tracker.releaseAll();
    expect(await ra).toBe(RECEIPT.buffered);
  });
});

describe('ReplyTracker.trackAll', () => {
  it('gives each write of a pipeline its own receipt, in order, counting only accepted ones as sent', async () => {
    const tracker = new ReplyTracker();
    const seen: [string, number][] = [];
    const replies = Promise.resolve<[Error | null, unknown][]>([[null, 1], [new Error('WRONGTYPE'), null], [null, 1]]);
    const pending = tracker.trackAll(['a', 'b', 'c'], replies, (item, cause, i) => {
      seen.push([item, i]);
      return refusedAs(cause);
    });
    expect(tracker.inFlight).toBe(3);
    const receipts = await pending;
    expect(receipts.map((r) => r.status)).toEqual(['accepted', 'failed', 'accepted']);
    expect(seen).toEqual([['b', 1]]);
    expect([tracker.inFlight, tracker.sent]).toEqual([0, 2]);
  });

  it('fails every write of a pipeline whose exec threw, with its cause', async () => {
    const tracker = new ReplyTracker();
    const thrown = new Error('connection closed');
    const failed = await tracker.trackAll(['a'], Promise.reject(thrown), (_item, cause) => refusedAs(cause));
    expect(failed).toEqual([{ status: 'failed', error: thrown }]);
    expect([tracker.inFlight, tracker.sent]).toEqual([0, 0]);
  });
});
