import { InvalidOptionError } from '../internal.js';

/** Options of {@link LabelLimiter}. */
export interface LabelLimiterOptions {
  /** Most distinct values kept per label name; any further new value becomes `other`. @default 100 */
  readonly maxValuesPerLabel?: number;
  /** Longest value kept, in UTF-16 code units; a longer one becomes `other`. @default 100 */
  readonly maxValueLength?: number;
}

/** The value that stands for every value a {@link LabelLimiter} folded. */
const OTHER = 'other';

/**
 * Bounds the number of series a metric can grow to: per label name, the first
 * `maxValuesPerLabel` distinct values pass unchanged and every later new value (or one longer than
 * `maxValueLength`) becomes `other`. Each fold is counted by label name, so an exporter can say how
 * many observations lost their value.
 *
 * @remarks Label values come from events, which anyone allowed to publish on a namespace can
 * write: without a cap, a publisher inventing operation names would grow an exporter's memory and
 * a time-series database's index without bound. Values seen once stay admitted for the limiter's
 * life (memory: at most `maxValuesPerLabel` values per label name).
 * @example
 * ```ts
 * const labels = new LabelLimiter({ maxValuesPerLabel: 2 });
 * labels.value('operation', 'parse'); // 'parse'
 * labels.value('operation', 'load');  // 'load'
 * labels.value('operation', 'save');  // 'other'; labels.folded() → Map { 'operation' => 1 }
 * ```
 */
export class LabelLimiter {
  /** The value folded values become. */
  static readonly OTHER = OTHER;
  readonly #maxValues: number;
  readonly #maxLength: number;
  readonly #seen = new Map<string, Set<string>>();
  readonly #folded = new Map<string, number>();

  /** @throws {@link InvalidOptionError} for a limit that is not a positive whole number. */
  constructor(options: LabelLimiterOptions = {}) {
    this.#maxValues = positive('maxValuesPerLabel', options.maxValuesPerLabel ?? 100);
    this.#maxLength = positive('maxValueLength', options.maxValueLength ?? 100);
  }

  /** `value` if `label` may keep it, else `other` (counted in {@link folded}). */
  value(label: string, value: string): string {
    let seen = this.#seen.get(label);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(label, seen);
    }
    if (seen.has(value)) return value;
    if (value.length <= this.#maxLength && seen.size < this.#maxValues) {
      seen.add(value);
      return value;
    }
    this.#folded.set(label, (this.#folded.get(label) ?? 0) + 1);
    return OTHER;
  }

  /** Observations whose value became `other`, by label name (only labels with at least one). */
  folded(): ReadonlyMap<string, number> {
    return this.#folded;
  }
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError(option, `must be a whole number ≥ 1, got ${String(value)}`);
  return value;
}
