import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, cliFixture, oneLine, runCli } from './run-cli.js';

beforeAll(() => buildOnce(), 120_000);

const placed = JSON.stringify({ orderId: 'o-1', total: 42 });

describe('dotbus publish --events MODULE', () => {
  it('builds an event of a type the module exports by name', async () => {
    const r = await runCli(['publish', 'order.placed', '--data', placed, '--events', cliFixture('shop-events.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ specversion: '1.0', type: 'order.placed', schemaversion: '1.0.0', data: { orderId: 'o-1', total: 42 } });
  });

  it('finds definitions exported only inside an array', async () => {
    const r = await runCli(['publish', 'order.shipped', '--data', JSON.stringify({ orderId: 'o-1', carrier: 'dhl' }), '--events', cliFixture('shop-events.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'order.shipped', data: { carrier: 'dhl' } });
  });

  it("validates the data against the module's schema (exit 1, naming the field)", async () => {
    const r = await runCli(['publish', 'order.placed', '--data', JSON.stringify({ orderId: 'o-1', total: -5 }), '--events', cliFixture('shop-events.js')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain('invalid data for order.placed: field `total`');
  });

  it("without --events, the application's type is unknown and the message points to --events (exit 2)", async () => {
    const r = await runCli(['publish', 'order.placed', '--data', placed]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/unknown event type "order.placed".*--events MODULE/);
  });

  it('still knows the built-in types', async () => {
    const data = JSON.stringify({ contextId: 'c-1', subject: 'order', status: 'started', errors: [] });
    const r = await runCli(['publish', 'validation.started', '--data', data, '--events', cliFixture('shop-events.js')]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('dotbus --events errors: one line each', () => {
  it.each([
    ['a path with no file', 'no-such-events.js', 2, '--events: no file "test/fixtures/cli/no-such-events.js"'],
    ['a directory', '', 2, 'is not a file'],
    ['a module without definitions', 'no-events.js', 2, 'exports no event definitions'],
    ['a module that throws while loading', 'broken-events.js', 1, 'failed: SHOP_CONFIG is not set'],
  ])('%s', async (_what, name, code, message) => {
    const r = await runCli(['publish', 'order.placed', '--data', placed, '--events', cliFixture(name)]);
    expect(r.code).toBe(code);
    expect(oneLine(r.stderr)).toContain(message);
  });

  it('tail and replay check --events before connecting', async () => {
    for (const cmd of [['tail', '*'], ['replay', '*']]) {
      const r = await runCli([...cmd, '--redis', 'redis://127.0.0.1:1', '--events', cliFixture('no-events.js')]);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toContain('exports no event definitions');
    }
  });
});

describe('dotbus --events with a TypeScript module', () => {
  it('on plain node: says how to run it (exit 2)', async () => {
    const r = await runCli(['publish', 'refund.issued', '--data', '{}', '--events', cliFixture('shop-events.ts')], 30_000, { NODE_OPTIONS: '' });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain("is TypeScript, which node can't load by itself; run with a loader: NODE_OPTIONS='--import tsx'");
  });

  it('with the loader the README names: loads it', async () => {
    const data = JSON.stringify({ orderId: 'o-1', amount: 5 });
    const r = await runCli(['publish', 'refund.issued', '--data', data, '--events', cliFixture('shop-events.ts')], 60_000, { NODE_OPTIONS: '--import tsx' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'refund.issued', data: { amount: 5 } });
  });
});
