import type { AnyBusEvent } from '../../index.js';
import { groupReader, type FieldReader } from './field-path.js';

/**
 * The group of an event: a key to find it by and the labels its windows carry, read from the
 * `groupBy` paths. Values count as their text (strings, numbers, booleans); anything else,
 * missing fields included, is absent: left out of the labels, distinct from every text in the key.
 */
export class GroupKey {
  readonly #paths: readonly { readonly path: string; readonly read: FieldReader }[];

  /** @throws {@link InvalidOptionError} (option `groupBy`) for a malformed path. */
  constructor(paths: readonly string[]) {
    this.#paths = paths.map((path) => ({ path, read: groupReader(path) }));
  }

  /** No path: one group; one path: its text itself (`undefined` when absent); several: length-prefixed texts, unambiguous. */
  of(event: AnyBusEvent): string | undefined {
    const paths = this.#paths;
    if (paths.length === 0) return '';
    if (paths.length === 1) return text(paths[0]!.read(event));
    let key = '';
    for (const { read } of paths) {
      const t = text(read(event));
      key += t === undefined ? '-|' : `${t.length}:${t}|`;
    }
    return key;
  }

  /** Path → text, for the paths present in `event`. */
  labels(event: AnyBusEvent): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const { path, read } of this.#paths) {
      const t = text(read(event));
      if (t !== undefined) labels[path] = t;
    }
    return labels;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
