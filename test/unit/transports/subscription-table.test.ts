import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { checkSubscription, SubscriptionTable, TableSubscription, type SubscriptionSupport } from '../../../src/transports/subscription-table.js';
import type { SubscriptionId } from '../../../src/transport.js';

const ALL: SubscriptionSupport = { transport: 'T' };
const NONE: SubscriptionSupport = { transport: 'T', noQueue: 'no queues here', noWait: 'no waiting here', noMaxInFlight: 'no limit here' };
const handler = (): void => {};

/** The message `checkSubscription` throws, or 'ok'. */
function verdict(support: SubscriptionSupport, pattern: unknown, h: unknown, options?: unknown): string {
  try {
    checkSubscription(support, pattern, h, options);
    return 'ok';
  } catch (e) {
    return `${(e as { code: string }).code} ${(e as Error).message}`;
  }
}

describe('checkSubscription', () => {
  it('names the option and says what it must be, for every malformed value', () => {
    expect(verdict(ALL, 42, handler)).toBe('INVALID_PATTERN invalid pattern "number": a pattern is a string such as `validation.*`');
    const cases: [unknown, unknown, string][] = [
      ['not a function', undefined, 'option `handler`: T: the handler must be a function'],
      [handler, 7, 'option `options`: T: must be an object, e.g. { signal }'],
      [handler, null, 'option `options`: T: must be an object, e.g. { signal }'],
      [handler, { signal: {} }, 'option `signal`: T: must be an AbortSignal'],
      [handler, { maxInFlight: 0 }, 'option `maxInFlight`: T: must be an integer ≥ 1'],
      [handler, { maxInFlight: 1.5 }, 'option `maxInFlight`: T: must be an integer ≥ 1'],
      [handler, { queue: 'big' }, 'option `queue`: T: must be an object, e.g. { capacity: 1000, policy: "drop-oldest" }'],
      [handler, { queue: null }, 'option `queue`: T: must be an object, e.g. { capacity: 1000, policy: "drop-oldest" }'],
      [handler, { queue: { capacity: 0 } }, 'option `queue.capacity`: T: must be an integer ≥ 1'],
      [handler, { queue: { capacity: 2.5 } }, 'option `queue.capacity`: T: must be an integer ≥ 1'],
      [handler, { queue: { policy: 'fifo' } }, 'option `queue.policy`: T: must be one of wait, drop-oldest, drop-newest, reject'],
    ];
    for (const [h, options, message] of cases) expect(verdict(ALL, 'a.*', h, options), JSON.stringify(options)).toBe(`INVALID_OPTION ${message}`);
  });

  it('accepts the smallest valid values and every policy', () => {
    expect(verdict(ALL, 'a.*', handler)).toBe('ok');
    expect(verdict(ALL, 'a.*', handler, {})).toBe('ok');
    expect(verdict(ALL, 'a.*', handler, { maxInFlight: 1, signal: new AbortController().signal })).toBe('ok');
    for (const policy of ['wait', 'drop-oldest', 'drop-newest', 'reject']) expect(verdict(ALL, 'a.*', handler, { queue: { capacity: 1, policy } })).toBe('ok');
  });

  it('refuses what the transport cannot honour with its reason, and only that', () => {
    expect(verdict(NONE, 'a.*', handler, { maxInFlight: 1 })).toBe('INVALID_OPTION option `maxInFlight`: T: no limit here');
    expect(verdict(NONE, 'a.*', handler, { queue: {} })).toBe('INVALID_OPTION option `queue`: T: no queues here');
    expect(verdict({ transport: 'T', noWait: 'no waiting here' }, 'a.*', handler, { queue: { policy: 'wait' } })).toBe('INVALID_OPTION option `queue.policy`: T: no waiting here');
    expect(verdict({ transport: 'T', noWait: 'no waiting here' }, 'a.*', handler, { queue: { policy: 'reject' } })).toBe('ok');
    expect(verdict(NONE, 'a.*', handler, { signal: new AbortController().signal })).toBe('ok');
  });
});

describe('SubscriptionTable', () => {
  const make = () => {
    const calls: string[] = [];
    const table = new SubscriptionTable<TableSubscription>(ALL, { onPatternAdded: (p) => calls.push(`+${p}`), onPatternRemoved: (p) => calls.push(`-${p}`) });
    const add = (pattern: string, options?: { signal?: AbortSignal }) =>
      table.add(pattern, handler, options, (id: SubscriptionId) => new TableSubscription(id, pattern, handler, (s) => table.release(s)));
    return { table, calls, add };
  };

  it('calls the pattern hooks on the first subscription of a pattern and after its last, once each', () => {
    const { table, calls, add } = make();
    const a1 = add('a.*');
    const a2 = add('a.*');
    const b = add('b.x');
    expect(calls).toEqual(['+a.*', '+b.x']);
    expect(table.patterns()).toEqual(['a.*', 'b.x']);
    a1.unsubscribe();
    a1.unsubscribe(); // idempotent: the count of a.* must not drop twice
    expect(calls).toEqual(['+a.*', '+b.x']);
    expect(table.patterns()).toEqual(['a.*', 'b.x']);
    a2.unsubscribe();
    expect(calls).toEqual(['+a.*', '+b.x', '-a.*']);
    expect(table.release(a2)).toBe(false);
    b.unsubscribe();
    expect(calls).toEqual(['+a.*', '+b.x', '-a.*', '-b.x']);
    expect(table.patterns()).toEqual([]);
    add('a.*');
    expect(calls.at(-1)).toBe('+a.*');
  });

  it('gives each subscription its own id, lists the active ones and matches only them', () => {
    const { table, add } = make();
    const [x, y, z] = [add('a.*'), add('a.b'), add('c.d')];
    expect(new Set([x.id, y.id, z.id]).size).toBe(3);
    expect([x.id, y.id, z.id]).toEqual(['sub-1', 'sub-2', 'sub-3']);
    y.unsubscribe();
    expect(y.active).toBe(false);
    expect(table.all()).toEqual([x, z]);
    expect(table.size).toBe(2);
    expect(table.match('a.b')).toEqual([x]);
  });

  it('ends a subscription when its signal aborts and detaches from the signal when it ends first', () => {
    const { table, calls, add } = make();
    const controller = new AbortController();
    const sub = add('a.*', { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(sub.active).toBe(false);
    expect(calls).toEqual(['+a.*', '-a.*']);
    const kept = new AbortController();
    const other = add('b.*', { signal: kept.signal });
    other.unsubscribe();
    expect(getEventListeners(kept.signal, 'abort')).toHaveLength(0);
    const aborted = add('c.*', { signal: AbortSignal.abort() });
    expect(aborted.active).toBe(false);
    expect(table.patterns()).toEqual([]);
  });
});
