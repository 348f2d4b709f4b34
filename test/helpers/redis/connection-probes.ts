/**
 * Independent checks of a loopback port for the helper tests, written without
 * `resp-client.ts` so that they do not test the helpers with themselves.
 *
 * @module
 */
import { connect } from 'node:net';

/** Inline PING over a raw socket; resolves with the first reply line. */
export function rawPing(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      const end = data.indexOf('\r\n');
      if (end !== -1) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.write('PING\r\n');
  });
}

/** Resolves true if nothing accepts connections on the port. */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
