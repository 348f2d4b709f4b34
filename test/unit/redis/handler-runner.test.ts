/** Unit tests of the Streams handler runner (retries, isolation, sync and async handlers); no server needed. */
import { describe, expect, it } from 'vitest';
import { defineEvent, Type, type BusEvent, type EventHandler } from '../../../src/index.js';
import { TableSubscription } from '../../../src/internal.js';
import { HandlerRunner } from '../../../src/redis/streams/handler-runner.js';

const Ping = defineEvent({ name: 'Ping', type: 'unit.ping', version: '1.0.0', schema: Type.Object({ n: Type.Number() }) });
const event: BusEvent = Ping.create({ n: 1 }, { source: '/unit' });

function sub(pattern: string, handler: EventHandler): TableSubscription {
  return new TableSubscription(`s-${pattern}`, pattern, handler, () => undefined);
}

function runner(maxAttempts: number): { runner: HandlerRunner; counts: { started: number; failed: number; retrying: number } } {
  const counts = { started: 0, failed: 0, retrying: 0 };
  const hooks = { started: () => counts.started++, failed: () => counts.failed++, retrying: () => counts.retrying++ };
  return { runner: new HandlerRunner({ maxAttempts, backoff: { baseMs: 1, capMs: 2 } }, hooks), counts };
}

describe('HandlerRunner', () => {
  it('settles handlers that return without a promise at the first attempt', async () => {
    const { runner: r, counts } = runner(3);
    const seen: number[] = [];
    const outcome = await r.run(event, [sub('unit.*', () => void seen.push(1)), sub('unit.ping', () => void seen.push(2))], () => false);
    expect(outcome).toEqual({ ok: true, attempts: 1 });
    expect(seen).toEqual([1, 2]);
    expect(counts).toEqual({ started: 2, failed: 0, retrying: 0 });
    // handle() gives that outcome at once, and a promise as soon as a handler returns one.
    expect(r.handle(event, [sub('unit.*', () => undefined)], () => false)).toEqual({ ok: true, attempts: 1 });
    const later = r.handle(event, [sub('unit.*', async () => undefined)], () => false);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toEqual({ ok: true, attempts: 1 });
  });

  it('retries only the handlers that failed (thrown, rejected or a then that throws), up to maxAttempts', async () => {
    const { runner: r, counts } = runner(3);
    const calls = { ok: 0, threw: 0, rejected: 0, badThen: 0 };
    const badThenable = { then: (): never => { throw new Error('then threw'); } };
    const subs = [
      sub('ok.+', () => void calls.ok++),
      sub('threw.+', () => { calls.threw++; throw new Error('sync'); }),
      sub('rejected.+', async () => { calls.rejected++; await Promise.resolve(); throw new Error('async'); }),
      sub('bad.+', (() => { calls.badThen++; return badThenable; }) as unknown as EventHandler),
    ];
    const outcome = await r.run(event, subs, () => false);
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(3);
    expect(calls).toEqual({ ok: 1, threw: 3, rejected: 3, badThen: 3 });
    if (outcome.ok) return;
    expect(outcome.failures.map((f) => f.pattern).sort()).toEqual(['bad.+', 'rejected.+', 'threw.+']);
    expect(counts).toEqual({ started: 1 + 3 * 3, failed: 3 * 3, retrying: 2 });
  });

  it('succeeds once a failing handler succeeds on a retry, and counts earlier deliveries', async () => {
    const { runner: r } = runner(4);
    let n = 0;
    const flaky = sub('unit.*', async () => {
      if (++n < 2) throw new Error('first time');
    });
    expect(await r.run(event, [flaky], () => false, { prior: 1 })).toEqual({ ok: true, attempts: 3 });
  });
});
