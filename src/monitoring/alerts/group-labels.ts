import type { AnyBusEvent } from '../../index.js';
import { groupReader, type FieldReader } from '../aggregation/field-path.js';
import { GroupKey } from '../aggregation/group-key.js';
import type { AlertLabels, LabelValue } from './alert-change.js';
import { labelOf } from './rule-spec.js';

/**
 * The group of an event under a rule's `groupBy` / `correlate` paths: a key to find it by (the
 * aggregator's `GroupKey`) and its alert labels (last path segment → the value as the event holds it).
 */
export class GroupLabels {
  readonly #key: GroupKey;
  readonly #fields: readonly { readonly label: string; readonly read: FieldReader }[];

  constructor(paths: readonly string[]) {
    this.#key = new GroupKey(paths);
    this.#fields = paths.map((p) => ({ label: labelOf(p), read: groupReader(p) }));
  }

  /** The group's key; `undefined` when the only path is absent. */
  key(event: AnyBusEvent): string | undefined {
    return this.#key.of(event);
  }

  /** Whether every path holds a string, number or boolean (what correlation needs). */
  complete(event: AnyBusEvent): boolean {
    return this.#fields.every((f) => isLabelValue(f.read(event)));
  }

  /** The labels of the event's group; absent paths are left out. */
  labels(event: AnyBusEvent): AlertLabels {
    const labels: Record<string, LabelValue> = {};
    for (const { label, read } of this.#fields) {
      const v = read(event);
      if (isLabelValue(v)) labels[label] = v;
    }
    return labels;
  }
}

function isLabelValue(v: unknown): v is LabelValue {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
}
