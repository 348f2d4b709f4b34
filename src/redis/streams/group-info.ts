import type { StreamGroupInfo } from '../../monitoring/index.js';
import type { RedisClient } from '../connection.js';
import type { StreamKeys } from './keys.js';

/**
 * The name `resolveStreamsOptions` gives a transport's own group (no `group` option):
 * `broadcast-<random UUID>`.
 */
const BROADCAST_GROUP = /^broadcast-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `group` is a name a transport gave its own group. */
export function isBroadcastGroup(group: string): boolean {
  return BROADCAST_GROUP.test(group);
}

/**
 * Reads the consumer groups of a namespace's stream: `XINFO GROUPS` for members, pending entries
 * and lag, then, for groups with pending entries only, `XPENDING` (summary form) for the oldest one,
 * aged by Redis's own clock (`TIME`) so that the exporter's clock doesn't matter.
 *
 * @returns no groups when the stream does not exist yet
 */
export async function readStreamGroups(client: RedisClient, keys: StreamKeys): Promise<StreamGroupInfo[]> {
  let reply: unknown;
  try {
    reply = await client.call('XINFO', 'GROUPS', keys.events);
  } catch (e) {
    if (e instanceof Error && /no such key/i.test(e.message)) return [];
    throw e;
  }
  const groups = (Array.isArray(reply) ? reply : []).map(fieldsOf).filter((g) => typeof g['name'] === 'string');
  const waiting = groups.filter((g) => count(g['pending']) > 0);
  const [now, ...oldest] = await Promise.all([
    waiting.length === 0 ? Promise.resolve(0) : client.call('TIME').then(redisNowMs),
    ...waiting.map((g) => client.call('XPENDING', keys.events, g['name'] as string).then(oldestPendingId)),
  ]);
  const oldestOf = new Map(waiting.map((g, i) => [g['name'] as string, oldest[i]]));
  return groups.map((g) => {
    const name = g['name'] as string;
    const lag = g['lag'];
    const since = oldestOf.get(name);
    return {
      namespace: keys.namespace,
      group: name,
      broadcast: isBroadcastGroup(name),
      consumers: count(g['consumers']),
      pending: count(g['pending']),
      ...(typeof lag === 'number' ? { lag } : {}),
      ...(since === undefined ? {} : { oldestPendingMs: Math.max(0, now - since) }),
    };
  });
}

/** `[k1, v1, k2, v2, …]` → `{ k1: v1, … }`. */
function fieldsOf(entry: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(entry)) return out;
  for (let i = 0; i + 1 < entry.length; i += 2) out[String(entry[i])] = entry[i + 1];
  return out;
}

function count(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** `TIME` → ms since the epoch. */
function redisNowMs(reply: unknown): number {
  const [seconds, micros] = Array.isArray(reply) ? reply.map(Number) : [];
  return (seconds ?? 0) * 1000 + Math.floor((micros ?? 0) / 1000);
}

/** `XPENDING key group` → the ms part of the oldest pending id, when there is one. */
function oldestPendingId(reply: unknown): number | undefined {
  const min = Array.isArray(reply) ? reply[1] : undefined;
  if (typeof min !== 'string') return undefined;
  const ms = Number(min.slice(0, min.indexOf('-')));
  return Number.isFinite(ms) ? ms : undefined;
}
