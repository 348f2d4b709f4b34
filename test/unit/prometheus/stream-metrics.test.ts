import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { StreamGroupInfo, StreamGroupSource } from '../../../src/monitoring/index.js';
import { registerStreamMetrics } from '../../../src/prometheus/index.js';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** A source whose answer the test sets; counts how often it was asked. */
function source(answer: () => Promise<readonly StreamGroupInfo[]>): StreamGroupSource & { asked: number } {
  return {
    asked: 0,
    groupInfo() {
      this.asked++;
      return answer();
    },
  };
}

const billing: StreamGroupInfo = { namespace: 'shop', group: 'billing', broadcast: false, consumers: 2, pending: 5, lag: 40, oldestPendingMs: 1_500 };
const own = (n: number): StreamGroupInfo => ({ namespace: 'shop', group: `broadcast-${n}`, broadcast: true, consumers: 1, pending: n, lag: n * 10 });

describe('registerStreamMetrics', () => {
  it('reads the groups once per scrape: named groups as they are, own groups folded into broadcast-*', async () => {
    const registry = new Registry();
    const groups = source(async () => [billing, own(1), own(2)]);
    registerStreamMetrics(groups, { registry });
    const text = await registry.metrics();
    expect(groups.asked).toBe(1);
    expect(value(text, 'dotbus_stream_group_lag{namespace="shop",group="billing"}')).toBe(40);
    expect(value(text, 'dotbus_stream_group_pending{namespace="shop",group="billing"}')).toBe(5);
    expect(value(text, 'dotbus_stream_group_oldest_pending_age_seconds{namespace="shop",group="billing"}')).toBe(1.5);
    expect(value(text, 'dotbus_stream_group_consumers{namespace="shop",group="billing"}')).toBe(2);
    expect(value(text, 'dotbus_stream_groups{namespace="shop",group="broadcast-*"}')).toBe(2);
    expect(value(text, 'dotbus_stream_group_pending{namespace="shop",group="broadcast-*"}')).toBe(3);
    expect(value(text, 'dotbus_stream_group_lag{namespace="shop",group="broadcast-*"}')).toBe(20);
    // No pending entry, no age: the series is absent rather than a made-up 0.
    expect(text).not.toContain('oldest_pending_age_seconds{namespace="shop",group="broadcast-*"}');
    expect(value(text, 'dotbus_stream_group_read_errors_total')).toBe(0);
  });

  it('a scrape while Redis cannot be asked has no group series and counts the failure; it never fails', async () => {
    const registry = new Registry();
    let fail: 'reject' | 'throw' | 'hang' | undefined = 'reject';
    const groups = source(() => {
      if (fail === 'throw') throw new Error('not connected');
      if (fail === 'hang') return new Promise(() => {});
      return fail === 'reject' ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve([billing]);
    });
    registerStreamMetrics(groups, { registry, timeoutMs: 50 });
    const scrape = () => registry.metrics();
    const failed = await scrape();
    expect(failed).not.toContain('group="billing"');
    expect(value(failed, 'dotbus_stream_group_read_errors_total')).toBe(1);
    fail = 'throw';
    expect(value(await scrape(), 'dotbus_stream_group_read_errors_total')).toBe(2);
    fail = 'hang';
    expect(value(await scrape(), 'dotbus_stream_group_read_errors_total')).toBe(3);
    fail = undefined;
    const back = await scrape();
    expect(value(back, 'dotbus_stream_group_pending{namespace="shop",group="billing"}')).toBe(5);
    expect(value(back, 'dotbus_stream_group_read_errors_total')).toBe(3);
  });

  it('takes several sources; refuses a second registration; removes its metrics', async () => {
    const registry = new Registry();
    const other: StreamGroupInfo = { ...billing, namespace: 'ops' };
    const stop = registerStreamMetrics([source(async () => [billing]), source(async () => [other])], { registry });
    const text = await registry.metrics();
    expect(value(text, 'dotbus_stream_group_pending{namespace="shop",group="billing"}')).toBe(5);
    expect(value(text, 'dotbus_stream_group_pending{namespace="ops",group="billing"}')).toBe(5);
    expect(() => registerStreamMetrics(source(async () => []), { registry })).toThrow(/registered on it already/);
    expect(() => registerStreamMetrics(source(async () => []), { registry: new Registry(), timeoutMs: 0 })).toThrow(/timeoutMs/);
    stop();
    expect(await registry.metrics()).toBe('\n');
  });
});
