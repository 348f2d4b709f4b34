import type { LabelLimiter } from './label-limiter.js';

/** One consumer group of a Redis Streams namespace, as Redis reports it (`XINFO GROUPS`, `XPENDING`). */
export interface StreamGroupInfo {
  /** The namespace whose stream the group reads. */
  readonly namespace: string;
  readonly group: string;
  /**
   * Whether the group is a transport's own (created without a `group` option, named after a
   * random id, one per process): exporters fold all of them into one series.
   */
  readonly broadcast: boolean;
  /** Members of the group. */
  readonly consumers: number;
  /** Entries delivered to a member and not acknowledged yet. */
  readonly pending: number;
  /** Entries not yet delivered to the group; absent when Redis can't tell (before 7.0, or after deletions in the range). */
  readonly lag?: number;
  /** Age of the oldest pending entry, in ms (its id's time against Redis's clock); absent when none is pending. */
  readonly oldestPendingMs?: number;
}

/**
 * Anything that reads the consumer groups of a stream at scrape time: the Redis Streams
 * transport's `groupInfo()` (`dotbus/redis`) fits.
 */
export interface StreamGroupSource {
  /** The groups as Redis reports them now; rejects when Redis can't be asked. */
  groupInfo(): Promise<readonly StreamGroupInfo[]>;
}

/** One series of stream-group gauges: a named group, or every broadcast group of a namespace folded together. */
export interface StreamGroupSeries {
  readonly namespace: string;
  /** The group's name, `broadcast-*` for the folded broadcast groups, or `other` past the label cap. */
  readonly group: string;
  /** How many groups the series stands for. */
  readonly groups: number;
  /** Sum over the groups. */
  readonly consumers: number;
  /** Sum over the groups. */
  readonly pending: number;
  /** The largest lag of the groups, when Redis told any. */
  readonly lag?: number;
  /** The oldest pending entry of the groups, in ms, when any is pending. */
  readonly oldestPendingMs?: number;
}

/** The `group` label of every broadcast group. */
const BROADCAST = 'broadcast-*';

/**
 * Folds groups into bounded series: every broadcast group of a namespace into one `broadcast-*`
 * series (their names are random ids, one per process that ever ran), named groups through
 * `labels` (their names are chosen by people, but a cap still holds). Counts add up; lag and the
 * oldest pending age are the worst of the folded groups. A group listed twice (two sources on
 * one namespace) counts once.
 */
export function streamGroupSeries(groups: readonly StreamGroupInfo[], labels: LabelLimiter): StreamGroupSeries[] {
  const byKey = new Map<string, StreamGroupSeries>();
  const seen = new Set<string>();
  for (const g of groups) {
    const id = `${g.namespace}\u0000${g.group}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const group = g.broadcast ? BROADCAST : labels.value('group', g.group);
    const key = `${g.namespace}\u0000${group}`;
    const was = byKey.get(key);
    byKey.set(key, {
      namespace: g.namespace,
      group,
      groups: (was?.groups ?? 0) + 1,
      consumers: (was?.consumers ?? 0) + g.consumers,
      pending: (was?.pending ?? 0) + g.pending,
      ...worst('lag', was?.lag, g.lag),
      ...worst('oldestPendingMs', was?.oldestPendingMs, g.oldestPendingMs),
    });
  }
  return [...byKey.values()];
}

function worst<K extends string>(key: K, a: number | undefined, b: number | undefined): Partial<Record<K, number>> {
  if (a === undefined && b === undefined) return {};
  return { [key]: Math.max(a ?? 0, b ?? 0) } as Partial<Record<K, number>>;
}
