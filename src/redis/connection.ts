import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../internal.js';
import { fullJitterDelay, type BackoffOptions } from './backoff.js';

/** A Redis client dotbus can use: standalone/Sentinel (`Redis`) or `Cluster`. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis. Give `url`, or a `client` you built (Sentinel, Cluster, custom TLS). */
export interface RedisConnectionOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS.
   * @default 'redis://127.0.0.1:6379'
   */
  readonly url?: string;
  /**
   * A client you configured yourself, e.g. `new Redis({ sentinels, name })` for Sentinel or
   * `new Cluster(nodes)` for Cluster. dotbus duplicates it for the connections it needs (with its
   * own reconnect and queue settings) and never closes the one you pass.
   */
  readonly client?: RedisClient;
  /** Reconnect backoff. @default { baseMs: 100, capMs: 10_000 } */
  readonly backoff?: BackoffOptions;
  /** Give up one connection attempt after this long, in ms (then the backoff retries). @default 10_000 */
  readonly connectTimeoutMs?: number;
}

/** Per-connection settings dotbus itself needs on top of the user's. */
export interface ConnectionExtras {
  /** Batch commands issued in the same tick into one write (publisher). */
  readonly enableAutoPipelining?: boolean;
  /** Let ioredis resubscribe after a reconnect; dotbus's consumer does it itself, so `false` there. */
  readonly autoResubscribe?: boolean;
}

/**
 * Opens a new connection for `role` (e.g. `publisher`, `subscriber`), lazily (call `connect()`),
 * with full-jitter reconnects for ever and no offline queue: while Redis is down, dotbus's own
 * bounded buffer holds events instead of ioredis's unbounded one.
 */
export function openConnection(options: RedisConnectionOptions, role: string, extra: ConnectionExtras = {}): RedisClient {
  const backoff = options.backoff ?? {};
  fullJitterDelay(1, backoff); // validates the options now, not at the first outage
  const retry = (times: number): number => fullJitterDelay(times, backoff);
  const common: RedisOptions = {
    connectionName: `dotbus-${role}`,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: null,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    retryStrategy: retry,
    ...extra,
  };
  const client = options.client;
  if (client instanceof Cluster) {
    const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy: _r, ...redisOptions } = common;
    const clusterOptions: ClusterOptions = { lazyConnect, enableOfflineQueue, enableAutoPipelining, clusterRetryStrategy: retry, redisOptions };
    return client.duplicate(undefined, clusterOptions);
  }
  if (client !== undefined) return client.duplicate(common);
  const url = options.url ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(url)) throw new InvalidOptionError('url', `${JSON.stringify(url)} must start with redis:// or rediss://`);
  return new Redis(url, common);
}

/** The ACL user a connection logs in as, for error messages (never the password). */
export function userOf(options: RedisConnectionOptions): string {
  const client = options.client;
  if (client instanceof Cluster) return client.options.redisOptions?.username ?? 'default';
  if (client !== undefined) return client.options.username ?? 'default';
  try {
    const name = new URL(options.url ?? 'redis://127.0.0.1:6379').username;
    return name === '' ? 'default' : decodeURIComponent(name);
  } catch {
    return 'default';
  }
}
