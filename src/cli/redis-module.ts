import { describeError } from '../internal.js';
// Type-only: erased at run time, so ioredis is loaded only when a command asks for Redis.
import type * as RedisModule from '../redis/index.js';
import { CliError } from './cli-error.js';

/** How long the CLI waits for Redis before giving up, in ms. */
export const CONNECT_TIMEOUT_MS = 3_000;

/** Loads `dotbus/redis` (and so ioredis) on demand; `what` names the flag or command for the error. */
export async function loadRedis(what: string): Promise<typeof RedisModule> {
  try {
    return await import('../redis/index.js');
  } catch (e) {
    throw new CliError(`${what} needs the optional dependency ioredis (npm install ioredis): ${describeError(e)}`);
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
