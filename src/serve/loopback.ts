import { isIP } from 'node:net';

/**
 * Whether `host` only ever reaches this machine: `localhost`, `127.0.0.0/8` or `::1`.
 *
 * @remarks Anything else (a name, `0.0.0.0`, `::`, a LAN address) may be reachable from other
 * machines, so the dashboard refuses to listen there without an auth token.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(h) || h.startsWith('::ffff:127.');
  return false;
}
