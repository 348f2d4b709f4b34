import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import { ConnectionError, describeError, InvalidOptionError } from '../internal.js';
import type { AnyRegistry } from './any-registry.js';

/** Options of {@link serveMetrics}. */
export interface MetricsServerOptions {
  /** TCP port; 0 picks a free one (read it from `port` or `url`). @default 9464 */
  readonly port?: number;
  /** Interface to listen on; `0.0.0.0` or `::` for every one. @default '127.0.0.1' */
  readonly host?: string;
}

/** A running {@link serveMetrics} endpoint. */
export interface MetricsServer {
  /** Where the metrics are served, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** The port it listens on (the one picked, for port 0). */
  readonly port: number;
  /** Stops listening, drops open connections and calls the functions `register` returned. */
  close(): Promise<void>;
}

/** What `register` is given and may return. */
export type RegisterMetrics = (registry: AnyRegistry) => (() => void) | void;

/** The default port: the one the OpenTelemetry Prometheus exporter uses too. */
const DEFAULT_PORT = 9464;

/**
 * Serves `GET /metrics` over HTTP: a standalone exporter in a few lines.
 *
 * @remarks `register` is called twice, with a Prometheus text registry and an OpenMetrics one, and
 * each request gets the one its `Accept` header asks for (a Prometheus server asks for OpenMetrics,
 * which carries exemplars; `curl` and `promtool` get the text format). A scrape that fails answers
 * 500 with the reason; other paths answer 404, other methods 405.
 * Rejects with an {@link InvalidOptionError} for a port outside 0–65535, and with a
 * {@link ConnectionError} when it can't listen (port in use, no such interface).
 * @example
 * ```ts
 * const server = await serveMetrics((registry) => registerPerformanceMetrics(bus, { registry }));
 * console.log(`metrics at ${server.url}`);
 * ```
 */
export async function serveMetrics(register: RegisterMetrics, options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) throw new InvalidOptionError('port', `must be a whole number from 0 to 65535, got ${String(port)}`);
  const text = new Registry();
  // prom-client's types lack the constructor's content-type parameter; its setter is typed.
  const open = new Registry<OpenMetricsContentType>();
  open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const unregister = [register(text)];
  try {
    unregister.push(register(open));
  } catch (e) {
    unregister[0]?.();
    throw e;
  }
  const server = createServer((req, res) => void respond(req, res, wantsOpenMetrics(req) ? open : text));
  try {
    await listen(server, port, host);
  } catch (e) {
    for (const u of unregister) u?.();
    throw new ConnectionError(`cannot serve metrics on ${host}:${port}: ${describeError(e)}; pick another port (0: any free one) or host`, { cause: e });
  }
  const bound = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const u of unregister) u?.();
      });
      return closing;
    },
  };
}

async function respond(req: IncomingMessage, res: ServerResponse, registry: AnyRegistry): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path !== '/metrics') return end(res, 404, 'text/plain; charset=utf-8', 'Not found: metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return end(res, 405, 'text/plain; charset=utf-8', 'Method not allowed: use GET\n');
  }
  try {
    const body = await registry.metrics();
    end(res, 200, registry.contentType, req.method === 'HEAD' ? '' : body);
  } catch (e) {
    end(res, 500, 'text/plain; charset=utf-8', `Collecting the metrics failed: ${describeError(e)}\n`);
  }
}

function end(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType });
  res.end(body);
}

/** Whether the client asks for OpenMetrics (and doesn't refuse it with `q=0`). */
function wantsOpenMetrics(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    return type === 'application/openmetrics-text' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
