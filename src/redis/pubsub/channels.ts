import { parsePattern } from '../../index.js';
import { checkNamespace } from '../../internal.js';

/** Most channel names a {@link ChannelNames} remembers; past it they are built on each call. */
const MAX_CACHED_CHANNELS = 10_000;

/**
 * Prefix of the control channels, `{dotbus}:`: a namespace can't contain braces, so no
 * `<namespace>:*` subscription ever sees control traffic (heartbeats), only CloudEvents.
 */
export const CONTROL_PREFIX = '{dotbus}:';

/**
 * Maps event types and patterns of one namespace to Redis channels and `PSUBSCRIBE` globs.
 *
 * @remarks Channel per event type (`<namespace>:<eventType>`), so tenants on one Redis don't see
 * each other. Event types only use `[A-Za-z0-9_.-]`, which are not glob specials; the namespace may
 * be any printable ASCII but `:` and braces ({@link checkNamespace}), and its glob specials are escaped so it never matches another
 * namespace.
 */
export class ChannelNames {
  /** `<namespace>:` */
  readonly prefix: string;
  /** The channel producers send heartbeats on. */
  readonly heartbeat: string;
  /** The `PSUBSCRIBE` glob of every channel of this namespace, `<namespace>:*` (glob specials escaped). */
  readonly namespaceGlob: string;
  readonly #globPrefix: string;
  readonly #channels = new Map<string, string>();

  readonly namespace: string;

  constructor(namespace?: string) {
    this.namespace = checkNamespace(namespace);
    this.prefix = `${this.namespace}:`;
    this.heartbeat = `${CONTROL_PREFIX}heartbeat:${this.namespace}`;
    this.#globPrefix = escapeGlob(this.prefix);
    this.namespaceGlob = `${this.#globPrefix}*`;
  }

  /** The channel of `eventType`. */
  channelOf(eventType: string): string {
    // Called for every event sent and received: a cached name is one lookup instead of a new
    // concatenation (a rope that ioredis would flatten again to measure and write it).
    const cached = this.#channels.get(eventType);
    if (cached !== undefined) return cached;
    const channel = this.prefix + eventType;
    if (this.#channels.size < MAX_CACHED_CHANNELS) this.#channels.set(eventType, channel);
    return channel;
  }

  /** The event type a channel of this namespace carries, or `undefined` for a foreign channel. */
  typeOf(channel: string): string | undefined {
    return channel.startsWith(this.prefix) ? channel.slice(this.prefix.length) : undefined;
  }

  /**
   * The `PSUBSCRIBE` glob that pre-filters `pattern` on the server: literal segments as they are,
   * `*` and `+` segments as `*`. The glob may match more than the pattern (`a.+` → `ns:a.*` also
   * matches `a.b.c`); the exact matcher on the client decides.
   * @throws {@link InvalidPatternError} for an invalid pattern.
   */
  globOf(pattern: string): string {
    parsePattern(pattern);
    const segments = pattern.split('.').map((s) => (s === '*' || s === '+' ? '*' : s));
    return this.#globPrefix + segments.join('.');
  }
}

/** Escapes the Redis glob specials `* ? [ ] \` so that `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
