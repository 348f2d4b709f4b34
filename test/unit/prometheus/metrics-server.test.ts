import { request } from 'node:http';
import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isDotbusError } from '../../../src/index.js';
import { serveMetrics, type AnyRegistry } from '../../../src/prometheus/index.js';

/** One HTTP exchange with the server, on loopback. */
function fetchText(url: string, init: { method?: string; accept?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, method: init.method ?? 'GET', headers: init.accept === undefined ? {} : { accept: init.accept } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Registers one counter, `jobs_total`, on each registry; counts the registrations it undoes. */
function jobs() {
  const state = { registered: 0, removed: 0 };
  const register = (registry: AnyRegistry) => {
    state.registered++;
    const counter = new Counter({ name: 'jobs_total', help: 'Jobs done', registers: [registry] });
    counter.inc(3);
    return () => {
      state.removed++;
      registry.removeSingleMetric('jobs_total');
    };
  };
  return { state, register };
}

describe('serveMetrics', () => {
  it('serves the text format, or OpenMetrics to a client that asks for it; 404 and 405 elsewhere', async () => {
    const { state, register } = jobs();
    const server = await serveMetrics(register, { port: 0 });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const text = await fetchText(server.url);
      expect(text.status).toBe(200);
      expect(text.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(text.body).toContain('jobs_total 3');
      // What a Prometheus server sends.
      const open = await fetchText(server.url, { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' });
      expect(open.type).toMatch(/^application\/openmetrics-text/);
      expect(open.body.trimEnd().endsWith('# EOF')).toBe(true);
      expect((await fetchText(server.url, { accept: 'application/openmetrics-text;q=0, text/plain' })).type).toMatch(/^text\/plain/);
      expect((await fetchText(`${server.url}?x=1`, { method: 'HEAD' })).status).toBe(200);
      expect((await fetchText(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetchText(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    expect(state).toEqual({ registered: 2, removed: 2 });
    await expect(fetchText(server.url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a port in use is a connection error naming what to do; nothing stays registered', async () => {
    const first = await serveMetrics(() => {}, { port: 0 });
    const { state, register } = jobs();
    try {
      const error = await serveMetrics(register, { port: first.port }).catch((e: unknown) => e);
      expect(isDotbusError(error) && error.code).toBe('CONNECTION_FAILED');
      expect(String((error as Error).message)).toMatch(new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${first.port}: .*EADDRINUSE.*pick another port`));
      expect(state).toEqual({ registered: 2, removed: 2 });
    } finally {
      await first.close();
    }
    await expect(serveMetrics(() => {}, { port: 70_000 })).rejects.toThrow(/port.*0 to 65535/);
  });
});
