import type { Pane } from '../aggregation/pane.js';
import type { GroupLabels } from './group-labels.js';
import type { GroupRow } from './shared-groups.js';
import type { StepCountTable } from './step-counts.js';

/** A group of a threshold rule: its key, labels and window state (panes, or a ring of step counts). */
export interface Group {
  readonly key: string | undefined;
  /** The row of the key in the shared groups, where this group holds the rule's slot. */
  readonly row: GroupRow<Group>;
  readonly labels: ReturnType<GroupLabels['labels']>;
  /** Panes ascending by start (sliding, tumbling); one pane, the open session (session). */
  readonly panes: Pane[];
  /** The group's ring in the rule's step counts, instead of panes, for `count` and `rate` over sliding and tumbling windows. */
  readonly ring: number | undefined;
  /** Time of the group's last event (session windows). */
  last: number;
  touched: boolean;
}

/**
 * The group of a counting rule: its use mark lives in its ring, which each event writes anyway,
 * so that counting an event reads the ring number from the shared row and never reaches this
 * object (with many rules over many groups, each such reach was a cache miss per rule and event).
 */
export class CountingGroup implements Group {
  readonly panes: Pane[] = [];
  last = 0;
  readonly #counts: StepCountTable;

  constructor(
    readonly key: string | undefined,
    readonly row: GroupRow<Group>,
    readonly labels: ReturnType<GroupLabels['labels']>,
    readonly ring: number,
    counts: StepCountTable,
  ) {
    this.#counts = counts;
  }

  get touched(): boolean {
    return this.#counts.touched(this.ring);
  }

  set touched(touched: boolean) {
    this.#counts.touch(this.ring, touched);
  }
}
