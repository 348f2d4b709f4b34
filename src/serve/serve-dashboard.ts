import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { parsePattern } from '../index.js';
import { describeError, InvalidOptionError } from '../internal.js';
import { requireToken, sameOriginPosts, securityHeaders } from './access.js';
import type { DashboardOptions } from './dashboard-options.js';
import { LiveCharts } from './live-charts.js';
import { LiveHub } from './live-hub.js';
import { isLoopbackHost } from './loopback.js';
import { loadAssets } from './static-assets.js';

/** A running dashboard. */
export interface Dashboard {
  /** Where the page is, e.g. `http://127.0.0.1:8080/` (with the port actually bound). */
  readonly url: string;
  /** Resolves once the bus confirmed the live tail's subscription: events published after it are shown. */
  readonly ready: Promise<void>;
  /** Stops serving: closes every browser connection, the server and the dashboard's subscriptions (not the bus). */
  close(): Promise<void>;
}

/** Interval of the keep-alive comment on idle live connections, in ms (proxies close silent ones). */
const KEEP_ALIVE_MS = 15_000;

/**
 * Serves the dashboard of `options.bus`: the page, its JSON API under `/api/`, the live tail as
 * server-sent events, and `/metrics` when given.
 *
 * @throws {@link InvalidOptionError} for a host that is not loopback without `authToken`, a bad
 * port or trace URL; rejects when the port can't be bound.
 */
export async function serveDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  checkOptions(options, host, port);
  const assets = loadAssets();
  const hub = new LiveHub(options.bus, options.clientBuffer ?? 1_000);
  const charts = new LiveCharts(options.bus, options.charts);
  const panels = new Map((options.panels ?? []).map((p) => [p.id, p]));

  const app = new Hono();
  app.use('*', securityHeaders);
  if (options.authToken !== undefined) app.use('*', requireToken(options.authToken));
  app.use('*', sameOriginPosts);
  app.onError((e, c) => c.json({ error: describeError(e) }, 500));

  app.get('/api/info', (c) =>
    c.json({
      title: options.title ?? 'dotbus',
      traceUrl: options.traceUrl ?? null,
      panels: [...panels.values()].map((p) => ({ id: p.id, title: p.title, form: p.form ?? [] })),
      metrics: options.metrics !== undefined,
    }),
  );
  app.get('/api/stats', (c) => c.json({ bus: options.bus.stats(), live: hub.stats() }));
  app.get('/api/charts', (c) => c.json(charts.view()));
  app.get('/api/pattern', (c) => {
    const error = patternError(c.req.query('pattern') ?? '');
    return error === undefined ? c.json({ ok: true }) : c.json({ ok: false, error }, 400);
  });
  app.get('/api/panels/:id', async (c) => {
    const panel = panels.get(c.req.param('id'));
    if (panel === undefined) return c.json({ error: `no panel ${c.req.param('id')}; see /api/info` }, 404);
    const query = Object.fromEntries((panel.form ?? []).map((f) => [f.name, c.req.query(f.name) ?? '']));
    try {
      return c.json({ id: panel.id, title: panel.title, tables: await panel.read(query) });
    } catch (e) {
      return c.json({ error: describeError(e) }, 400);
    }
  });
  app.post('/api/panels/:id/actions/:action', async (c) => {
    const panel = panels.get(c.req.param('id'));
    if (panel?.act === undefined) return c.json({ error: `no panel ${c.req.param('id')} with actions; see /api/info` }, 404);
    const input = await c.req.json<unknown>().catch(() => ({}));
    try {
      return c.json({ message: await panel.act(c.req.param('action'), stringsOf(input)) });
    } catch (e) {
      return c.json({ error: describeError(e) }, 400);
    }
  });
  app.get('/api/live', (c) => {
    const pattern = c.req.query('pattern') ?? '*';
    return streamSSE(c, async (stream) => {
      const error = patternError(pattern);
      if (error !== undefined) {
        await stream.writeSSE({ event: 'invalid', data: JSON.stringify({ error }) });
        return;
      }
      const client = hub.join(pattern);
      stream.onAbort(() => hub.leave(client));
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => hub.leave(client)), KEEP_ALIVE_MS);
      try {
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ pattern }) });
        for (let rows = await client.queue.take(); rows !== undefined; rows = await client.queue.take()) {
          await stream.writeSSE({ event: 'events', data: `{"skipped":${client.queue.skipped},"rows":[${rows.join(',')}]}` });
        }
      } finally {
        clearInterval(keepAlive);
        hub.leave(client);
      }
    });
  });
  if (options.metrics !== undefined) {
    const metrics = options.metrics;
    app.get('/metrics', async (c) => {
      const { contentType, body } = await metrics();
      return c.body(body, 200, { 'Content-Type': contentType });
    });
  }
  // Browsers ask for it by themselves; an answer without a body keeps their console clean.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('*', (c) => {
    const asset = assets.get(c.req.path);
    return asset === undefined ? c.json({ error: `no such page: ${c.req.path}` }, 404) : c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  let server: ServerType;
  try {
    server = await listen(app, host, port);
  } catch (e) {
    hub.close();
    await charts.close();
    throw e;
  }
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`,
    ready: hub.ready,
    async close() {
      hub.close();
      await charts.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

function checkOptions(options: DashboardOptions, host: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidOptionError('port', `must be an integer in 0–65535, got ${port}`);
  if (options.authToken === undefined && !isLoopbackHost(host)) {
    throw new InvalidOptionError('host', `${host} is not a loopback address: anyone who can reach it would see every event; give an auth token (--auth-token or DOTBUS_TOKEN), or listen on 127.0.0.1`);
  }
  if (options.authToken !== undefined && options.authToken.length < 16) throw new InvalidOptionError('authToken', 'must be at least 16 characters long (e.g. openssl rand -hex 16)');
  if (options.traceUrl !== undefined && (!/^https?:\/\//.test(options.traceUrl) || !options.traceUrl.includes('{traceId}'))) {
    throw new InvalidOptionError('traceUrl', `must be an http(s) URL with {traceId} in it, e.g. http://localhost:16686/trace/{traceId}; got ${options.traceUrl}`);
  }
  if (options.clientBuffer !== undefined && (!Number.isInteger(options.clientBuffer) || options.clientBuffer < 1)) {
    throw new InvalidOptionError('clientBuffer', `must be a positive integer, got ${options.clientBuffer}`);
  }
}

/** The string fields of a JSON body (a button's input); anything else is dropped. */
function stringsOf(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Why `pattern` is not a valid subscription pattern, or `undefined` when it is. */
function patternError(pattern: string): string | undefined {
  try {
    parsePattern(pattern);
    return undefined;
  } catch (e) {
    return describeError(e);
  }
}

function listen(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
    server.once('error', reject);
  });
}
