import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a redis-server that can break a connection at an exact point
 * of the reply stream: every command reaches Redis, only the first `bytes` of the replies that
 * follow reach the client, then the client's connection is closed. That is a server that handled
 * a whole pipeline and died before answering all of it, made deterministic.
 */
export class ReplyCuttingProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #cut: { bytes: number } | undefined;
  /** Connections the proxy accepted so far. */
  connections = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts a proxy to `127.0.0.1:targetPort` on a free loopback port. */
  static async start(targetPort: number): Promise<ReplyCuttingProxy> {
    const server = createServer();
    const proxy = new ReplyCuttingProxy(server);
    server.on('connection', (client) => proxy.#pipe(client, targetPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** From now on, let `bytes` more reply bytes through, then close every client connection. */
  cutAfter(bytes: number): void {
    this.#cut = { bytes };
  }

  async close(): Promise<void> {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise((r) => this.#server.close(r));
  }

  #pipe(client: Socket, targetPort: number): void {
    this.connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      const cut = this.#cut;
      if (cut === undefined) return void client.write(chunk);
      if (chunk.length < cut.bytes) {
        cut.bytes -= chunk.length;
        return void client.write(chunk);
      }
      this.#cut = undefined;
      client.write(chunk.subarray(0, cut.bytes), end);
    });
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
