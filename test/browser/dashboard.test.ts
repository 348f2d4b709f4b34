import { Type } from '@sinclair/typebox';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, defineEvent } from '../../src/index.js';
import { redisPubSub } from '../../src/redis/index.js';
import { cliFixture, redisForCliSuite, runCli } from '../cli/run-cli.js';
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
      await page.goto(served.url);
      await page.locator('#tail li').first().waitFor({ timeout: 10_000 });
      await page.locator('#panel-validation td').first().waitFor({ timeout: 10_000 });
      await page.locator('#rates .uplot').waitFor({ timeout: 10_000 });
      expect(await page.locator('#panel-validation h3').allTextContents()).toEqual(['Contexts', 'Slowest phases', 'Most frequent errors']);
      expect(problems).toEqual([]);
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
    beforeAll(async () => {
      served = await startDashboard(['--redis', redis.url, '--namespace', namespace, '--rules', cliFixture('../serve/alerts.yaml')]);
      bus = busOn(namespace);
      await bus.ready();
      ({ page, problems } = await watchedPage(browser));
      await page.goto(served.url);
      await page.locator('#tail').waitFor({ state: 'attached' });
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

    it('filters on the server by the pattern typed in the page, and says why a pattern is invalid', async () => {
      await page.fill('#pattern', 'shop.note');
      await page.click('#filter button[type=submit]');
      await expect.poll(() => page.locator('#tail li').count()).toBe(0);
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
      await page.fill('#pattern', '*');
      await page.click('#filter button[type=submit]');
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
