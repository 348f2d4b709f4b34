import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { createBus, defineEvent } from '../../../src/index.js';
import { InvalidOptionError } from '../../../src/internal.js';
import { serveDashboard } from '../../../src/serve/index.js';
import { TimeSeries } from '../../../src/serve/time-series.js';

describe('serveDashboard options', () => {
  it.each([
    [{ host: '0.0.0.0' }, /option `host`: 0\.0\.0\.0 is not a loopback address/],
    [{ host: '192.168.1.10', authToken: 'short' }, /option `authToken`: must be at least 16 characters/],
    [{ traceUrl: 'javascript:alert(1)//{traceId}' }, /option `traceUrl`: must be an http\(s\) URL/],
    [{ traceUrl: 'http://jaeger/trace/' }, /with \{traceId\} in it/],
    [{ port: 70_000 }, /option `port`/],
    [{ clientBuffer: 0 }, /option `clientBuffer`/],
  ])('refuses %j before listening', async (options, message) => {
    const bus = createBus();
    await expect(serveDashboard({ bus, port: 0, ...options })).rejects.toThrow(InvalidOptionError);
    await expect(serveDashboard({ bus, port: 0, ...options })).rejects.toThrow(message);
    await bus.close();
  });
});

describe('serveDashboard', () => {
  it('answers with the security headers, explains bad patterns and unknown paths as JSON', async () => {
    const bus = createBus();
    const dashboard = await serveDashboard({ bus, port: 0 });
    try {
      expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(dashboard.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const bad = await fetch(`${dashboard.url}api/pattern?pattern=${encodeURIComponent('a..b')}`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/invalid pattern "a\.\.b"/);
      expect((await fetch(`${dashboard.url}api/pattern?pattern=a.*`)).status).toBe(200);
      const missing = await fetch(`${dashboard.url}nothing-here`);
      expect(missing.status).toBe(404);
      expect((await fetch(`${dashboard.url}api/panels/none`)).status).toBe(404);
      expect((await fetch(`${dashboard.url}metrics`)).status).toBe(404); // no metrics given
      expect((await fetch(`${dashboard.url}vendor/uPlot.esm.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    } finally {
      await dashboard.close();
      await bus.close();
    }
  });
});

describe('the live tail', () => {
  const Tick = defineEvent({ name: 'Tick', type: 'tick.done', version: '1.0.0', schema: Type.Object({ n: Type.Integer() }) });

  /**
   * Reads the SSE stream: calls `onHello` once the server says the connection receives events,
   * then reads until `done(rows, skipped)`; returns the rows' data and the last skipped count.
   */
  async function readLive(url: string, onHello: () => void, done: (rows: number, skipped: number) => boolean): Promise<{ ns: number[]; skipped: number }> {
    const res = await fetch(url);
    const ns: number[] = [];
    let skipped = 0;
    let buffer = '';
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const messages = buffer.split('\n\n');
      buffer = messages.pop()!;
      for (const m of messages) {
        if (m.startsWith('event: hello')) onHello();
        const data = /^data: (.*)$/m.exec(m)?.[1];
        if (!m.startsWith('event: events') || data === undefined) continue;
        const body = JSON.parse(data) as { skipped: number; rows: { data: { n: number } }[] };
        skipped = body.skipped;
        ns.push(...body.rows.map((r) => r.data.n));
      }
      if (done(ns.length, skipped)) break;
    }
    return { ns, skipped };
  }

  it('filters on the server, and past its buffer skips and counts rows: every event is either sent or counted', async () => {
    const bus = createBus({ events: [Tick] });
    const dashboard = await serveDashboard({ bus, port: 0, clientBuffer: 10 });
    try {
      const burst = 500;
      // Published in one go: far faster than any connection takes them.
      const publish = (): void => {
        void bus.emit('system.health.up', { component: 'other', status: 'up', detail: 'not a tick' });
        for (let n = 0; n < burst; n++) void bus.publish(Tick.create({ n }));
      };
      const { ns, skipped } = await readLive(`${dashboard.url}api/live?pattern=tick.*`, publish, (rows, skipped) => rows + skipped >= burst);
      expect(ns.length + skipped).toBe(burst);
      expect(skipped).toBeGreaterThan(0);
      // What was sent is in publish order, and only ticks.
      expect(ns.every((n) => Number.isInteger(n))).toBe(true);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    } finally {
      await dashboard.close();
      await bus.close();
    }
  });
});

describe('TimeSeries', () => {
  const window = (end: number, group: Record<string, string>, count: number, rate: number) => ({
    aggregation: 'rates', pattern: '*', group, start: new Date(end - 5_000).toISOString(), end: new Date(end).toISOString(),
    windowMs: 5_000, slideMs: 5_000, count, rate, lateEvents: 0, futureEvents: 0, evictedGroups: 0,
  });

  it('aligns the windows of every group on one time axis, null where a group had none', () => {
    const s = new TimeSeries({ '': (d) => d.rate }, 60_000, 8);
    const t0 = Date.UTC(2025, 0, 1);
    s.add(window(t0, { eventType: 'a' }, 10, 2));
    s.add(window(t0 + 5_000, { eventType: 'a' }, 10, 3));
    s.add(window(t0 + 5_000, { eventType: 'b' }, 5, 1));
    expect(s.chart()).toEqual({ times: [t0 / 1000, t0 / 1000 + 5], series: [{ name: 'a', values: [2, 3] }, { name: 'b', values: [null, 1] }] });
  });

  it('keeps only the last keepMs and the busiest maxSeries', () => {
    const s = new TimeSeries({ '': (d) => d.rate }, 10_000, 2);
    const t0 = Date.UTC(2025, 0, 1);
    const groups = ['quiet', 'busy', 'busier'];
    for (let i = 0; i < 5; i++) groups.forEach((g, j) => s.add(window(t0 + i * 5_000, { eventType: g }, j * 10, j)));
    const chart = s.chart();
    expect(chart.times).toEqual([2, 3, 4].map((i) => (t0 + i * 5_000) / 1000));
    expect(chart.series.map((x) => x.name)).toEqual(['busier', 'busy']);
  });
});
