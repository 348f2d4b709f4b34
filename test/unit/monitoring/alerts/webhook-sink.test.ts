import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DotbusError } from '../../../../src/index.js';
import { AlertEngine, webhookSink } from '../../../../src/monitoring/index.js';
import { waitUntil } from '../../../helpers/wait.js';
import { sample, type TestEvent } from './alert-fixture.js';

/** A loopback receiver answering each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) bodies.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

describe('webhookSink', () => {
  it('retries 5xx with backoff and delivers firing and resolved in order', async () => {
    const r = await receiver([503, 500]);
    server = r.server;
    const sink = webhookSink(r.url, { backoff: { baseMs: 1, capMs: 5 } });
    const engine = new AlertEngine<TestEvent>({ clock: 'events', allowedLatenessMs: 0, sinks: [sink] });
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 80, for: '1s' });
    [90, 90, 90, 10, 10].forEach((v, i) => engine.push(sample(i + 0.5, v)));
    engine.flush();
    await engine.close();
    expect(r.bodies.map((b) => (b as { state: string }).state)).toEqual(['firing', 'resolved']); // pending is not sent
    expect(r.bodies[0]).toMatchObject({ rule: 'hot', state: 'firing', at: '2024-05-01T12:00:02.000Z', value: 90, labels: {} });
    expect(sink.stats()).toMatchObject({ sent: 2, retries: 2, failed: 0 });
  });

  it('a 4xx is not retried: counted as failed and reported', async () => {
    const r = await receiver([400]);
    server = r.server;
    const errors: DotbusError[] = [];
    const sink = webhookSink(r.url, { onError: (e) => errors.push(e) });
    sink.send({ rule: 'r', kind: 'absence', severity: 'warning', state: 'firing', at: 0, labels: {}, fingerprint: 'f', value: null, activeSince: 0, firedAt: 0, message: 'm', annotations: {} });
    await waitUntil(() => sink.stats().failed === 1, 10_000, 'the refusal');
    await sink.close();
    expect(errors[0]!.message).toMatch(/webhook http:\/\/127\.0\.0\.1:\d+\/hook: refused the alert \(HTTP 400\); not retried/);
  });

  it('an unreachable receiver: gives up after maxAttempts, never throws', async () => {
    const r = await receiver([]);
    const url = r.url;
    await new Promise<void>((resolve) => r.server.close(() => resolve()));
    const sink = webhookSink(url, { maxAttempts: 3, backoff: { baseMs: 1, capMs: 2 }, onError: () => undefined });
    sink.send({ rule: 'r', kind: 'absence', severity: 'warning', state: 'firing', at: 0, labels: {}, fingerprint: 'f', value: null, activeSince: 0, firedAt: 0, message: 'm', annotations: {} });
    await sink.close();
    expect(sink.stats()).toMatchObject({ sent: 0, failed: 1, retries: 2 });
  });

  it('refuses a URL that is not http(s) at once', () => {
    expect(() => webhookSink('ftp://example.com')).toThrow(/must be http:\/\/ or https:\/\//);
  });
});
