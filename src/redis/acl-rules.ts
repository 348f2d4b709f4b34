import { InvalidOptionError } from '../internal.js';
import { CONTROL_PREFIX, escapeGlob } from './pubsub/channels.js';
import { StreamKeys } from './streams/keys.js';

/** A Redis transport, as {@link aclRulesFor} names them. */
export type AclMechanism = 'pubsub' | 'streams';

/** What {@link aclRulesFor} writes the rules of. */
export interface AclRulesOptions {
  /** The tenant's namespace, as given to `redisPubSub` / `redisStreams`. @default 'dotbus' */
  readonly namespace?: string;
  /** The transports the tenant uses; one, or both when it runs both. */
  readonly mechanism: AclMechanism | readonly AclMechanism[];
}

/**
 * Commands of the Pub/Sub transport: `PUBLISH` (events, heartbeats), the subscriber's
 * subscriptions, and `CLIENT SETNAME` (every dotbus connection names itself `dotbus-<role>`).
 */
const PUBSUB_COMMANDS = ['client|setname', 'publish', 'psubscribe', 'punsubscribe', 'subscribe', 'unsubscribe'] as const;

/**
 * Commands of the Streams transport: the ready check (`INFO`), writing and trimming, group
 * reads, claims and acks, the group's creation (and removal of broadcast groups), `groupInfo()`,
 * replay, the dead-letter and commit scripts and what they call, the idempotency marks and retry
 * counters, and the writes a `commitOnce` may make.
 */
const STREAMS_COMMANDS = [
  'client|setname', 'info',
  'xadd', 'xtrim', 'xreadgroup', 'xack', 'xclaim', 'xautoclaim', 'xgroup|create', 'xgroup|destroy',
  'xinfo|groups', 'xpending', 'time', 'xrange', 'exists', 'type',
  'mget', 'set', 'del', 'incr', 'incrby', 'hincrby', 'hset', 'sadd', 'pexpire',
  'multi', 'exec', 'evalsha', 'eval',
] as const;

/**
 * The Redis ACL rules a tenant's user needs to run dotbus in `namespace`, and nothing more:
 * its channels (`&<ns>:*`, and the heartbeat channel `&{dotbus}:heartbeat:<ns>`) for Pub/Sub, its
 * keys (`~{<ns>}:*`) for Streams, and the commands each transport sends.
 *
 * @remarks The rules start with `resetkeys resetchannels -@all`, so they replace whatever keys,
 * channels and commands the user had; they set no password and don't switch the user `on`
 * (see {@link aclSetUserCommand}). Glob specials of the namespace (`* ? [ ] \`) are escaped, so a
 * namespace never grants another. A Pub/Sub consumer under these rules needs
 * `subscribeTo: 'namespace'`: Redis compares `PSUBSCRIBE` patterns with channel rules literally.
 * A connection URL that names a database also needs `+select`.
 * @throws {@link InvalidOptionError} for a namespace the transports refuse or an unknown mechanism.
 * @example
 * ```ts
 * aclRulesFor({ namespace: 'tenant-a', mechanism: 'streams' });
 * // ['resetkeys', 'resetchannels', '-@all', '~{tenant-a}:*', '+client|setname', '+info', '+xadd', …]
 * ```
 */
export function aclRulesFor(options: AclRulesOptions): readonly string[] {
  const mechanisms = typeof options.mechanism === 'string' ? [options.mechanism] : [...options.mechanism];
  if (mechanisms.length === 0 || mechanisms.some((m) => m !== 'pubsub' && m !== 'streams')) {
    throw new InvalidOptionError('mechanism', "must be 'pubsub', 'streams' or both");
  }
  const namespace = new StreamKeys(options.namespace).namespace; // checks it
  const rules = ['resetkeys', 'resetchannels', '-@all'];
  const commands = new Set<string>();
  if (mechanisms.includes('pubsub')) {
    rules.push(`&${escapeGlob(`${namespace}:`)}*`, `&${escapeGlob(`${CONTROL_PREFIX}heartbeat:${namespace}`)}`);
    for (const c of PUBSUB_COMMANDS) commands.add(c);
  }
  if (mechanisms.includes('streams')) {
    rules.push(`~${escapeGlob(`{${namespace}}:`)}*`);
    for (const c of STREAMS_COMMANDS) commands.add(c);
  }
  for (const c of commands) rules.push(`+${c}`);
  return rules;
}

/**
 * `ACL SETUSER <user> on <rules…>` as one line for `redis-cli`, each argument quoted when it
 * must be. Add the password separately (`ACL SETUSER <user> ><password>`), so it never sits in
 * a script or a shell history next to the rules.
 * @throws {@link InvalidOptionError} for an empty user name or one with spaces or control characters.
 */
export function aclSetUserCommand(user: string, rules: readonly string[]): string {
  if (!/^[\x21-\x7e]+$/.test(user)) throw new InvalidOptionError('user', 'must be 1 or more printable ASCII characters without spaces');
  return ['ACL', 'SETUSER', user, 'on', ...rules].map(cliArg).join(' ');
}

/** `arg` as `redis-cli` reads it back: as is, or double-quoted when it holds quotes or backslashes. */
function cliArg(arg: string): string {
  return /["'\\]/.test(arg) ? `"${arg.replace(/["\\]/g, '\\$&')}"` : arg;
}
