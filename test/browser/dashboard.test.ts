import { Type } from '@sinclair/typebox';
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventEntry, openSqliteStore } from '../../src/audit/index.js';
import { orderEvents } from '../conformance/audit-samples.js';
import { createBus, defineEvent } from '../../src/index.js';
import { redisPubSub, redisStreams } from '../../src/redis/index.js';
import { cliFixture, redisForCliSuite, runCli } from '../cli/run-cli.js';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { chromiumRequired, launchBrowser, startDashboard, watchedPage, type ServedDashboard } from '../helpers/browser.js';

const redis = redisForCliSuite();

/** Events the tests publish; the dashboard has no definition of them, so it shows them untyped, as received. */
const Note = defineEvent({ name: 'Note', type: 'shop.note', version: '1.0.0', schema: Type.Object({ text: Type.String() }) });
const Order = defineEvent({ name: 'Order', type: 'shop.order.placed', version: '1.0.0', schema: Type.Object({ orderId: Type.String() }) });
const Alarm = defineEvent({ name: 'Alarm', type: 'shop.alarm', version: '1.0.0', schema: Type.Object({ key: Type.String() }) });
const EVENTS = [Note, Order, Alarm];

/** A publisher on the test's Redis, in `namespace`. */
function busOn(namespace: string) {
  return createBus({ events: EVENTS, transport: redisPubSub({ connection: { url: redis.url }, namespace }) });
}

/** Types `pattern` in the page's filter and waits until the server streams with it (so nothing published after is missed). */
async function filterBy(page: Page, pattern: string): Promise<void> {
  await page.fill('#pattern', pattern);
  await page.click('#filter button[type=submit]');
  await page.locator(`#tail[data-pattern="${pattern}"]`).waitFor({ state: 'attached', timeout: 10_000 });
}

/** The tail's rows of type `type`. */
const rows = (page: Page, type: string) => page.locator(`#tail li[data-type="${type}"]`);

describe.runIf(chromiumRequired())('dotbus serve in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('without --redis: the page loads with no console error and shows the demo live (tail, charts, validation panel)', async () => {
    const served = await startDashboard([]);
    try {
      const { page, problems } = await watchedPage(browser);
      const requested: string[] = [];
      page.on('request', (r) => void requested.push(r.url()));
      await page.goto(served.url);
      await page.locator('#tail li').first().waitFor({ timeout: 10_000 });
      await page.locator('#panel-validation td').first().waitFor({ timeout: 10_000 });
      await page.locator('#rates .uplot').waitFor({ timeout: 10_000 });
      expect(await page.locator('#panel-validation h3').allTextContents()).toEqual(['Contexts', 'Slowest phases', 'Most frequent errors']);
      expect(problems).toEqual([]);
      // Everything the page needs (uPlot included) comes from the dashboard itself: it works offline.
      expect(requested.filter((u) => !u.startsWith(served.url))).toEqual([]);
      expect(requested).toContain(`${served.url}vendor/uPlot.esm.js`);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  describe('with --redis', () => {
    let served: ServedDashboard;
    let bus: ReturnType<typeof busOn>;
    let page: Page;
    let problems: string[];
    const namespace = `serve-${process.pid}-${Date.now()}`;
    const TRACE_URL = 'http://127.0.0.1:16686/trace/{traceId}';
    beforeAll(async () => {
      served = await startDashboard(['--redis', redis.url, '--namespace', namespace, '--rules', cliFixture('../serve/alerts.yaml'), '--trace-url', TRACE_URL]);
      bus = busOn(namespace);
      await bus.ready();
      ({ page, problems } = await watchedPage(browser));
      await page.goto(served.url);
      await page.locator('#tail[data-pattern="*"]').waitFor({ state: 'attached', timeout: 10_000 });
    });
    afterAll(async () => {
      await bus?.close();
      expect(await served?.stop()).toBe(0);
    });

    it('shows events from Redis in the live tail, each expandable to its data, source and time', async () => {
      await bus.publish(Order.create({ orderId: 'o-1' }, { source: '/shop' }));
      const row = rows(page, 'shop.order.placed').first();
      await row.waitFor({ timeout: 5_000 });
      await row.locator('summary').click();
      await expect.poll(() => row.locator('dd').allTextContents()).toContain('/shop');
      expect(JSON.parse((await row.locator('pre.data').textContent())!)).toEqual({ orderId: 'o-1' });
      expect(problems).toEqual([]);
    });

    it("links an event's trace id with the --trace-url template", async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      await bus.publish(Order.create({ orderId: 'o-traced' }, { trace: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }));
      const row = page.locator('#tail li', { hasText: 'o-traced' });
      await row.waitFor({ timeout: 5_000 });
      await row.locator('summary').click();
      const link = row.locator('dd a');
      expect(await link.textContent()).toBe(traceId);
      expect(await link.getAttribute('href')).toBe(TRACE_URL.replace('{traceId}', traceId));
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    });

    it('filters on the server by the pattern typed in the page, and says why a pattern is invalid', async () => {
      await filterBy(page, 'shop.note');
      expect(await page.locator('#tail li').count()).toBe(0);
      await bus.publish(Order.create({ orderId: 'o-2' }));
      await bus.publish(Note.create({ text: 'after the order' }));
      await rows(page, 'shop.note').first().waitFor({ timeout: 5_000 });
      // The order was published first: had the server sent it, the page would show it by now.
      expect(await rows(page, 'shop.order.placed').count()).toBe(0);

      await page.fill('#pattern', 'shop..note');
      await page.click('#filter button[type=submit]');
      await expect.poll(() => page.locator('#pattern-error').textContent()).toMatch(/invalid pattern "shop\.\.note": .*empty segment/);
    });

    it('renders a hostile event as inert text', async () => {
      await filterBy(page, '*');
      const hostile = '<img src=x onerror="window.__pwned = true"><script>window.__pwned = true</script>';
      await bus.publish(Note.create({ text: hostile }));
      const row = rows(page, 'shop.note').first();
      await row.waitFor({ timeout: 5_000 });
      await row.locator('summary').click();
      expect(JSON.parse((await row.locator('pre.data').textContent())!)).toEqual({ text: hostile });
      expect(await page.locator('#tail img, #tail script').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).toBeUndefined();
    });

    it('shows an alert of the rule file once its condition holds', async () => {
      await bus.publish(Alarm.create({ key: 'k-1' }));
      await bus.publish(Alarm.create({ key: 'k-1' }));
      const cells = page.locator('#panel-alerts td');
      await expect.poll(() => cells.allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining(['double-alarm', 'key=k-1', 'critical']));
      expect(problems).toEqual([]);
    });
  });

  describe('with --durable', () => {
    /** The definition of the --events fixture the dashboard loads (order.placed). */
    const OrderPlaced = defineEvent({ name: 'OrderPlaced', type: 'order.placed', version: '1.0.0', schema: Type.Object({ orderId: Type.String(), total: Type.Number({ minimum: 0 }) }) });

    it('lists a dead-lettered entry with its reason and attempts; its redrive is checked, sent back and handled', async () => {
      const namespace = `serve-dl-${process.pid}-${Date.now()}`;
      // A worker whose handler fails until it is fixed; one attempt, then the dead-letter stream.
      let broken = true;
      const handled: string[] = [];
      const worker = createBus({
        events: [OrderPlaced],
        onError: () => undefined, // the failures are the point
        transport: redisStreams({ connection: { url: redis.url }, namespace, group: 'workers', retry: { maxAttempts: 1 } }),
      });
      worker.subscribe('order.placed', (e) => {
        if (broken) throw new Error('the warehouse is closed');
        handled.push(e.data.orderId);
      });
      await worker.ready();
      const served = await startDashboard(['--redis', redis.url, '--namespace', namespace, '--durable', '--events', cliFixture('shop-events.js')]);
      try {
        const { page, problems } = await watchedPage(browser);
        await page.goto(served.url);
        await worker.publish(OrderPlaced.create({ orderId: 'o-dl', total: 3 }));
        const row = page.locator('#panel-dead-letter tr', { hasText: 'handler-failed' });
        await row.waitFor({ timeout: 20_000 });
        expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['order.placed', '1', 'workers']));
        expect(await row.textContent()).toContain('the warehouse is closed');
        await page.locator('#panel-streams td', { hasText: 'workers' }).waitFor();

        // An entry that is no valid order.placed: its redrive is refused, and it stays.
        await sendCommands(redis.port, [['XADD', `{${namespace}}:dead-letter`, '*', 'reason', 'decode-failed', 'error', 'bad', 'attempts', '0', 'id', '0-1', 'group', 'workers', 'consumer', 'c', 'eventId', '', 't', 'order.placed', 'i', 'x', 'm', '{"not":"an event"}']]);
        const bad = page.locator('#panel-dead-letter tr', { hasText: 'decode-failed' });
        await bad.locator('button').click();
        await expect.poll(() => page.locator('#panel-dead-letter .said').textContent()).toMatch(/refused: /);
        expect(await bad.count()).toBe(1);

        broken = false;
        await row.locator('button', { hasText: 'Redrive' }).click();
        await expect.poll(() => handled, { timeout: 20_000 }).toEqual(['o-dl']);
        await expect.poll(() => page.locator('#panel-dead-letter .said').textContent()).toMatch(/redriven$/);
        await expect.poll(() => row.count()).toBe(0);
        expect(problems).toEqual([]);
      } finally {
        expect(await served.stop()).toBe(0);
        await worker.close();
      }
    });
  });

  describe('with --audit', () => {
    it('queries the log by pattern and time in the page, and verifies its chain on demand', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dotbus-serve-audit-'));
      const db = join(dir, 'log.db');
      const events = orderEvents(12, Date.UTC(2025, 0, 1), 60_000); // a minute apart
      const store = await openSqliteStore({ path: db });
      await store.append(events.map(eventEntry));
      await store.close();
      const served = await startDashboard(['--audit', db]);
      try {
        const { page, problems } = await watchedPage(browser);
        await page.goto(served.url);
        const table = page.locator('#panel-audit table').first();
        await expect.poll(() => table.locator('tr').count(), { timeout: 10_000 }).toBe(events.length + 1);

        const type = events[0]!.eventType;
        const from = events[4]!.timestamp;
        await page.fill('#panel-audit input[name=pattern]', type);
        await page.fill('#panel-audit input[name=from]', from.toISOString());
        await page.click('#panel-audit button[type=submit]');
        const expected = events.filter((e) => e.eventType === type && e.timestamp >= from).map((e) => e.eventId).reverse();
        await expect.poll(() => table.locator('td:last-child').allTextContents()).toEqual(expected);

        expect(problems).toEqual([]);
        // From here on the browser logs the 400 of the bad time it is made to send.
        await page.fill('#panel-audit input[name=from]', 'yesterday-ish');
        await page.click('#panel-audit button[type=submit]');
        await expect.poll(() => page.locator('#panel-audit .error').textContent()).toMatch(/from: "yesterday-ish" is not a time/);
        await page.fill('#panel-audit input[name=from]', '');
        await page.click('#panel-audit button[type=submit]');

        await page.click('#panel-audit button[data-action=verify]');
        await expect.poll(() => page.locator('#panel-audit .said').textContent()).toBe(`chain intact: ${events.length} records checked`);
        expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
      } finally {
        expect(await served.stop()).toBe(0);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('access', () => {
    it('refuses to start on a host that is not loopback without a token (exit 2)', async () => {
      const run = await runCli(['serve', '--port', '0', '--host', '0.0.0.0'], 20_000, { DOTBUS_TOKEN: '' });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address: give --auth-token/);
    });

    it('with --auth-token: page and API refuse requests without it; ?token= sets a cookie the page then uses', async () => {
      const token = 'a-test-token-of-32-characters-xx';
      const served = await startDashboard(['--auth-token', token]);
      try {
        expect(served.cli.stderr()).toContain('open it once as that URL + ?token=<your token>');
        expect(served.cli.stderr()).not.toContain(token);
        expect((await fetch(served.url)).status).toBe(401);
        expect((await fetch(`${served.url}api/info`)).status).toBe(401);
        expect((await fetch(`${served.url}api/info`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
        expect((await fetch(`${served.url}api/info`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
        const { page, problems } = await watchedPage(browser);
        await page.goto(`${served.url}?token=${token}`);
        expect(new URL(page.url()).search).toBe('');
        await page.locator('#tail li').first().waitFor({ timeout: 10_000 });
        expect(problems).toEqual([]);
      } finally {
        expect(await served.stop()).toBe(0);
      }
    });

    it('refuses a POST without the custom header or from another origin', async () => {
      const served = await startDashboard([]);
      try {
        expect((await fetch(`${served.url}api/info`, { method: 'POST' })).status).toBe(403);
        const crossSite = await fetch(`${served.url}api/info`, { method: 'POST', headers: { 'x-dotbus-request': '1', origin: 'http://evil.example' } });
        expect(crossSite.status).toBe(403);
        expect(((await crossSite.json()) as { error: string }).error).toMatch(/Origin http:\/\/evil\.example is not this server/);
      } finally {
        expect(await served.stop()).toBe(0);
      }
    });
  });
});
