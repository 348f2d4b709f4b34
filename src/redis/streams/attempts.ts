import type { RedisClient } from '../connection.js';
import type { StreamKeys } from './keys.js';

/** How long a retry counter outlives its last retry, in ms: long after any claim would come. */
const RETRIES_TTL_MS = 86_400_000;

/**
 * Counts the attempts of a stream entry across the members of a group, so that a poison entry is
 * dead-lettered after `maxAttempts` in total even when it keeps killing its member — in a handler
 * or before one (decoding it, say): the count is known from Redis when the entry is claimed, before
 * anything parses it, and {@link EntryProcessor} checks it first.
 *
 * @remarks Attempts = deliveries + retries. Redis counts deliveries for free: the group's pending
 * list has a delivery counter per entry, raised by `XREADGROUP` and by each `XAUTOCLAIM` (the
 * `XCLAIM … JUSTID` keep-alive leaves it alone). Every delivery starts one attempt, so a member
 * killed in its first attempt is counted without writing anything. Retries (more attempts in one
 * delivery, after a handler threw) are counted in `{<ns>}:retries:<group>:<entry id>`, written
 * before each retry starts, so a member killed in a retry is counted too. The happy path (one
 * delivery, no retry) costs no extra command; only claimed entries are looked up
 * (one `XPENDING` per entry and one `MGET`). A delivery cut short before its handler started (close, crash right after
 * the read) still counts as an attempt: the count errs high, never low.
 */
export class AttemptLedger {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: StreamKeys,
    private readonly group: string,
    private readonly consumer: string,
  ) {}

  /**
   * Attempts made before this delivery, for entries this member has just claimed (entry id →
   * count). If Redis can't say, each counts as one earlier attempt: it was claimed, so delivered before.
   */
  async prior(entries: readonly { readonly id: string }[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(entries.map((e) => [e.id, 1]));
    if (entries.length === 0) return out;
    try {
      const [deliveries, retries] = await Promise.all([this.#deliveries(entries), this.#retries(entries)]);
      for (const [i, e] of entries.entries()) {
        out.set(e.id, Math.max(1, (deliveries.get(e.id) ?? 2) - 1) + (retries[i] ?? 0));
      }
    } catch {
      // Keep the floor of one: the entry is still handled, at worst with a few attempts too many.
    }
    return out;
  }

  /** Records that a retry of entry `entryId` is about to start; waits for Redis (or its failure). */
  async recordRetry(entryId: string): Promise<void> {
    const key = this.keys.retries(this.group, entryId);
    try {
      // EXEC answers every command, failed or not (a key of another type fails INCR alone): check each.
      const replies = await this.client.multi().incr(key).pexpire(key, RETRIES_TTL_MS).exec();
      const failed = (replies ?? []).find(([error]) => error !== null)?.[0];
      if (replies === null || failed != null) throw failed ?? new Error('transaction aborted');
    } catch {
      // Unrecorded, this retry is missing from the count if the member dies in it: one attempt more, later.
    }
  }

  /** Drops the retry counter of a settled entry (acknowledged or dead-lettered). */
  forget(entryId: string): void {
    this.client.del(this.keys.retries(this.group, entryId)).catch(() => {
      // The TTL removes it anyway.
    });
  }

  async #deliveries(entries: readonly { readonly id: string }[]): Promise<Map<string, number>> {
    // One exact-id query per entry, pipelined: a range query could be cut short by this member's
    // own pending entries lying between the claimed ones.
    const pipeline = this.client.pipeline();
    for (const e of entries) pipeline.call('XPENDING', this.keys.events, this.group, e.id, e.id, '1', this.consumer);
    const out = new Map<string, number>();
    for (const [error, reply] of (await pipeline.exec()) ?? []) {
      const row: unknown = error === null && Array.isArray(reply) ? reply[0] : undefined;
      if (Array.isArray(row) && typeof row[0] === 'string' && typeof row[3] === 'number') out.set(row[0], row[3]);
    }
    return out;
  }

  async #retries(entries: readonly { readonly id: string }[]): Promise<number[]> {
    // One slot (hash tag), so MGET works on a Cluster too.
    const values = await this.client.mget(entries.map((e) => this.keys.retries(this.group, e.id)));
    return values.map((v) => (v === null ? 0 : Number(v) || 0));
  }
}
