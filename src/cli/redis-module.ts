import { describeError } from '../internal.js';
// Type-only: erased at run time, so ioredis is loaded only when a command asks for Redis.
import type * as RedisModule from '../redis/index.js';
import { CliError } from './cli-error.js';

/** How long the CLI waits for Redis before giving up, in ms. */
export const CONNECT_TIMEOUT_MS = 3_000;

/** How long the CLI waits for Redis to answer one command (`replay`'s pages), in ms. */
export const COMMAND_TIMEOUT_MS = 10_000;

/** `dotbus/redis`, plus the redaction its transports use for every URL they name. */
export type LoadedRedis = typeof RedisModule & {
  /** The URL without its secrets (password, credential query parameters), for messages. */
  readonly redactUrl: (url: string) => string;
};

/** Loads `dotbus/redis` (and so ioredis) on demand; `what` names the flag or command for the error. */
export async function loadRedis(what: string): Promise<LoadedRedis> {
  try {
    // The redaction is no part of dotbus/redis's public API; the CLI ships in the same package and
    // names connections exactly as the transports' own messages do.
    const [redis, { redactUrl }] = await Promise.all([import('../redis/index.js'), import('../redis/redact.js')]);
    return { ...redis, redactUrl };
  } catch (e) {
    throw new CliError(`${what} needs the optional dependency ioredis (npm install ioredis): ${describeError(e)}`);
  }
}
