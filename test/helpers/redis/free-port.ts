/**
 * Free TCP ports on the loopback address the throwaway Redis servers bind to.
 *
 * @module
 */
import { createServer } from 'node:net';

/** The loopback address every helper server binds to. */
export const REDIS_HOST = '127.0.0.1';

/**
 * Find a free TCP port on 127.0.0.1 by binding port 0 and closing again.
 * Another process may take the port before it is used: callers retry on EADDRINUSE.
 */
export async function getFreePort(): Promise<number> {
  const [port] = await getFreePorts(1);
  return port as number;
}

/**
 * Find `count` distinct free TCP ports on 127.0.0.1 (all bound at once, then
 * released). The same race as {@link getFreePort} applies.
 */
export async function getFreePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.unref();
            server.once('error', reject);
            server.listen({ host: REDIS_HOST, port: 0, exclusive: true }, () => {
              const address = server.address();
              if (address === null || typeof address === 'string') reject(new Error('could not determine a free port'));
              else resolve(address.port);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))),
    );
  }
}
