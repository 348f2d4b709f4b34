import type { AuditCheckpoint, AuditRecord } from './audit-record.js';
import type { ChainBreak, VerifyResult } from './audit-store.js';
import { recordHash } from './record-hash.js';

/** What the store's head row says the retained chain is: where it starts and ends. */
export interface ChainBounds {
  /** Position of the first retained record, and the hash it must link to. */
  readonly firstPosition: number;
  readonly firstPrevHash: string;
  /** Position and hash of the last record appended. */
  readonly lastPosition: number;
  readonly lastHash: string;
}

type Break = Extract<VerifyResult, { ok: false }>;

/**
 * Recomputes a chain fed one record at a time, in position order, and stops at the first break.
 *
 * @remarks The order of the checks decides what a break is called: a missing position is
 * `removed`; a record that does not link to its predecessor's hash is `inserted`; a record that
 * links but does not hash to its stored hash is `altered`; then checkpoints. After the last record
 * {@link finish} compares the end with the head row, so deleting the newest records is `removed`.
 */
export class ChainVerifier {
  #position: number;
  #prevHash: string;
  #checked = 0;
  #broken: Break | undefined;
  readonly #checkpoints: Map<number, string>;

  constructor(
    private readonly bounds: ChainBounds,
    checkpoints: readonly AuditCheckpoint[],
  ) {
    this.#position = bounds.firstPosition;
    this.#prevHash = bounds.firstPrevHash;
    this.#checkpoints = new Map(checkpoints.filter((c) => c.position >= bounds.firstPosition).map((c) => [c.position, c.hash]));
  }

  /** The first break found so far. */
  get broken(): Break | undefined {
    return this.#broken;
  }

  /** Checks the next record; `false` once the chain is broken (stop feeding). */
  feed(r: AuditRecord): boolean {
    if (this.#broken !== undefined) return false;
    if (r.position > this.#position) {
      const missing = r.position - this.#position;
      return this.#break(this.#position, null, 'removed', `${missing} record(s) missing from position ${this.#position} (the next one present is position ${r.position}, event id ${r.eventId ?? 'none'})`);
    }
    if (r.position < this.#position) return this.#break(r.position, r.eventId, 'inserted', 'a record before the retained start');
    if (r.prevHash !== this.#prevHash) return this.#break(r.position, r.eventId, 'inserted', 'does not link to the hash of the record before it');
    if (recordHash(r.prevHash, r.position, r.recordedAt, r) !== r.hash) return this.#break(r.position, r.eventId, 'altered', 'its content does not match its hash');
    const checkpoint = this.#checkpoints.get(r.position);
    if (checkpoint !== undefined && checkpoint !== r.hash) return this.#break(r.position, r.eventId, 'checkpoint', 'its hash differs from the checkpoint written for it');
    this.#checked++;
    this.#position++;
    this.#prevHash = r.hash;
    return true;
  }

  /** The result, once every record was fed. */
  finish(): VerifyResult {
    if (this.#broken !== undefined) return this.#broken;
    const last = this.#position - 1;
    const { lastPosition, lastHash, firstPosition } = this.bounds;
    if (last < lastPosition) {
      this.#break(this.#position, null, 'removed', `the log ends at position ${last} but its head says ${lastPosition}: the newest record(s) were deleted`);
    } else if (last > lastPosition) {
      this.#break(lastPosition + 1, null, 'inserted', `records past the head (position ${lastPosition}) were added outside the store`);
    } else if (last >= firstPosition && this.#prevHash !== lastHash) {
      this.#break(last, null, 'altered', 'the last record does not have the hash the head recorded');
    } else {
      const beyond = [...this.#checkpoints.keys()].find((p) => p > last);
      if (beyond !== undefined) this.#break(beyond, null, 'checkpoint', `a checkpoint names position ${beyond}, past the end of the log`);
    }
    return this.#broken ?? { ok: true, checked: this.#checked, firstPosition, lastPosition: last, headHash: this.#prevHash };
  }

  #break(position: number, eventId: string | null, problem: ChainBreak, why: string): false {
    const id = eventId === null ? '' : ` (event id ${eventId})`;
    this.#broken = { ok: false, checked: this.#checked, position, eventId, problem, message: `record at position ${position}${id} ${problem}: ${why}` };
    return false;
  }
}
