import { describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
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
