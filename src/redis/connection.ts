import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../internal.js';
import { fullJitterDelay, type BackoffOptions } from './backoff.js';
import { redactUrl } from './redact.js';

/** A Redis client dotbus can use: standalone/Sentinel (`Redis`) or `Cluster`. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis. Give `url`, or a `client` you built (Sentinel, Cluster, custom TLS). */
export interface RedisConnectionOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. `db` is a whole number from
   * 0; the server's `databases` setting decides the highest (0–15 by default), and a database it
   * refuses is a connection error, never a silent fall-back to database 0.
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
  /**
   * Hold the connection back while a restarted Redis loads its data (ioredis's ready check, an
   * `INFO` after connecting). Needed where commands would fail with `LOADING` meanwhile (stream
   * writes and reads); a connection that only uses commands Redis serves while loading (Pub/Sub)
   * can do without it, and then an ACL user without `+info` causes no ioredis warning on stderr.
   * @default true
   */
  readonly waitWhileLoading?: boolean;
  /** Reject a command Redis has not answered after this long, in ms. @default no limit */
  readonly commandTimeoutMs?: number;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** Highest database index Redis can be configured with (`databases` is an int). */
const MAX_DATABASE = 2 ** 31 - 1;

/** What the server decides about database indexes, for messages. */
export const DATABASES_NOTE = "the server's `databases` setting decides the highest (16 databases, 0–15, by default)";

/** A command Redis answered with an error, as ioredis reports it. */
export interface RefusedCommand {
  /** Lower-case command name, e.g. `psubscribe`. */
  readonly name: string;
  readonly args: readonly string[];
}

/** Called with every error reply Redis sends on a connection (see {@link onReplyError}). */
export type ReplyErrorListener = (error: Error, command: RefusedCommand | undefined) => void;

const replyListeners = new WeakMap<RedisClient, Set<ReplyErrorListener>>();

/**
 * Calls `listener` with every error reply Redis sends on `client` (a connection made by
 * {@link openConnection}), whichever command it answers and whoever awaits that command: the one
 * place that sees a `NOPERM` to a `PSUBSCRIBE` or an out-of-range `SELECT` as it arrives.
 */
export function onReplyError(client: RedisClient, listener: ReplyErrorListener): void {
  let listeners = replyListeners.get(client);
  if (listeners === undefined) replyListeners.set(client, (listeners = new Set()));
  listeners.add(listener);
}

/** The command an ioredis reply error answers, if it says. */
export function refusedCommand(error: Error): RefusedCommand | undefined {
  const command = (error as Error & { command?: { name?: unknown; args?: unknown } }).command;
  if (command === undefined || typeof command.name !== 'string') return undefined;
  const args = Array.isArray(command.args) ? command.args.map((a: unknown) => String(a)) : [];
  return { name: command.name.toLowerCase(), args };
}

/**
 * Opens a new connection for `role` (e.g. `publisher`, `subscriber`), lazily (call `connect()`),
 * with full-jitter reconnects for ever and no offline queue: while Redis is down, dotbus's own
 * bounded buffer holds events instead of ioredis's unbounded one.
 * @throws {@link InvalidOptionError} for a URL that is not a Redis URL or names no valid database,
 * and for a `client` configured with an invalid database.
 */
export function openConnection(options: RedisConnectionOptions, role: string, extra: ConnectionExtras = {}): RedisClient {
  const backoff = options.backoff ?? {};
  fullJitterDelay(1, backoff); // validates the options now, not at the first outage
  const retry = (times: number): number => fullJitterDelay(times, backoff);
  const { waitWhileLoading = true, commandTimeoutMs, ...ioredisExtras } = extra;
  let opened: RedisClient | undefined;
  const client = options.client;
  const theirs = client instanceof Cluster ? client.options.redisOptions?.reconnectOnError : client?.options.reconnectOnError;
  const common: RedisOptions = {
    connectionName: `dotbus-${role}`,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: waitWhileLoading,
    maxRetriesPerRequest: null,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(commandTimeoutMs === undefined ? {} : { commandTimeout: commandTimeoutMs }),
    retryStrategy: retry,
    // ioredis's one hook that sees every error reply, whoever awaits the command.
    reconnectOnError: (error) => {
      const command = refusedCommand(error);
      for (const listener of (opened === undefined ? undefined : replyListeners.get(opened)) ?? []) {
        try {
          listener(error, command);
        } catch {
          // A listener must not break ioredis's reply parsing.
        }
      }
      // Never go on in database 0 after the server refused the one asked for: reconnect (and be
      // refused again) until it accepts it.
      if (command?.name === 'select') return 1;
      return theirs?.(error) ?? false;
    },
    ...ioredisExtras,
  };
  if (client instanceof Cluster) {
    // The wait while loading (and the reply hook) belong to each node's connection: redisOptions.
    const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy: _r, ...redisOptions } = common;
    const clusterOptions: ClusterOptions = { lazyConnect, enableOfflineQueue, enableAutoPipelining, clusterRetryStrategy: retry, redisOptions };
    return (opened = client.duplicate(undefined, clusterOptions));
  }
  if (client !== undefined) {
    checkDatabase('connection.client', client.options.db, 'its `db` option');
    return (opened = client.duplicate(common));
  }
  const url = options.url ?? DEFAULT_URL;
  checkUrl(url);
  return (opened = new Redis(url, common));
}

/**
 * Throws unless `url` is a `redis://` or `rediss://` URL that parses and names a valid database
 * (path or `?db=`), so that ioredis never gets to `SELECT NaN`. Messages show the URL redacted.
 */
function checkUrl(url: string): void {
  if (!/^rediss?:\/\//.test(url)) throw new InvalidOptionError('connection.url', `${redactUrl(url)} must start with redis:// or rediss://`);
  let parsed: URL;
  try {
    // A Redis URL has no fragment: a `#` is an unencoded part of a password, and what follows it
    // could parse as another host and port.
    if (url.includes('#')) throw new TypeError('fragment');
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError(
      'connection.url',
      `does not parse as a URL (${redactUrl(url)}, credentials not shown); percent-encode reserved characters in the user name and password (# as %23, @ as %40, / as %2F, ? as %3F, : as %3A)`,
    );
  }
  // The database ioredis will SELECT: the path as it stands (not decoded), else `?db=`.
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '') checkDatabase('connection.url', path, 'the path after the port');
  else checkDatabase('connection.url', parsed.searchParams.get('db') ?? undefined, '`?db=`');
}

/** Throws unless `db` (as given) is a whole number from 0; `where` says where it came from. */
function checkDatabase(option: string, db: string | number | undefined, where: string): void {
  if (db === undefined || db === '') return;
  const text = String(db);
  if (/^\d{1,10}$/.test(text) && Number(text) <= MAX_DATABASE) return;
  const socket = text.includes('/') ? '; a Unix socket needs `connection.client` (new Redis({ path }))' : '';
  throw new InvalidOptionError(option, `database ${JSON.stringify(text.slice(0, 40))} (${where}) must be a whole number from 0; ${DATABASES_NOTE}${socket}`);
}

/**
 * Where a connection goes, for messages: `redis://host:port/db`, `unix:/path`, `sentinel master
 * NAME` or `Redis Cluster`. Built from the client's options, so it never holds a credential.
 */
export function targetOf(client: RedisClient): string {
  if (client instanceof Cluster) return 'Redis Cluster';
  const o = client.options;
  if (o.sentinels !== undefined && o.sentinels !== null && o.sentinels.length > 0) return `sentinel master ${o.name ?? '?'}`;
  const db = o.db === undefined || o.db === 0 ? '' : `/${o.db}`;
  if (o.path !== undefined && o.path !== '') return `unix:${o.path}${db}`;
  const host = o.host ?? '127.0.0.1';
  return `${o.tls === undefined ? 'redis' : 'rediss'}://${host.includes(':') ? `[${host}]` : host}:${o.port ?? 6379}${db}`;
}

/** The ACL user a connection logs in as, for error messages (never the password). */
export function userOf(options: RedisConnectionOptions): string {
  const client = options.client;
  if (client instanceof Cluster) return client.options.redisOptions?.username ?? 'default';
  if (client !== undefined) return client.options.username ?? 'default';
  try {
    const name = new URL(options.url ?? DEFAULT_URL).username;
    return name === '' ? 'default' : decodeURIComponent(name);
  } catch {
    return 'default';
  }
}
