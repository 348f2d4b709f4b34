import { FieldPath, type DeepReadonly, type FieldError } from '../index.js';
import type { ErrorStat, PhaseStat } from './validation-view.js';

interface PhaseAgg {
  count: number;
  totalMs: number;
  maxMs: number;
  slowestContextId: string;
}

const OTHER_PHASE = '(other)';

/**
 * Cumulative phase timings and error frequencies, bounded by the number of distinct phase names
 * and error kinds (beyond the caps, phases pool under `(other)` and errors are only counted).
 */
export class SummaryStats {
  readonly #phases = new Map<string, PhaseAgg>();
  readonly #errors = new Map<string, { rule: string; field: string; severity: ErrorStat['severity']; count: number }>();
  readonly #maxPhaseNames: number;
  readonly #maxErrorKinds: number;
  #otherErrors = 0;

  constructor(maxPhaseNames: number, maxErrorKinds: number) {
    this.#maxPhaseNames = maxPhaseNames;
    this.#maxErrorKinds = maxErrorKinds;
  }

  /** Counts one completed phase run. */
  phase(name: string, durationMs: number, contextId: string): void {
    const key = this.#phases.has(name) || this.#phases.size < this.#maxPhaseNames ? name : OTHER_PHASE;
    const agg = this.#phases.get(key);
    if (agg === undefined) {
      this.#phases.set(key, { count: 1, totalMs: durationMs, maxMs: durationMs, slowestContextId: contextId });
      return;
    }
    agg.count++;
    agg.totalMs += durationMs;
    if (durationMs > agg.maxMs) {
      agg.maxMs = durationMs;
      agg.slowestContextId = contextId;
    }
  }

  /** Counts one error, folding array indexes so `items[3].sku` and `items[7].sku` count together. */
  error(e: DeepReadonly<FieldError>): void {
    const field = foldIndexes(FieldPath.format(e.fieldPath));
    const key = `${e.rule}\u0000${field}\u0000${e.severity}`;
    const known = this.#errors.get(key);
    if (known !== undefined) known.count++;
    else if (this.#errors.size < this.#maxErrorKinds) this.#errors.set(key, { rule: e.rule, field, severity: e.severity, count: 1 });
    else this.#otherErrors++;
  }

  /** The `limit` phases with the slowest single run. */
  slowestPhases(limit: number): PhaseStat[] {
    return [...this.#phases]
      .map(([phase, a]) => ({ phase, count: a.count, meanMs: a.totalMs / a.count, maxMs: a.maxMs, slowestContextId: a.slowestContextId }))
      .sort((x, y) => y.maxMs - x.maxMs || x.phase.localeCompare(y.phase))
      .slice(0, limit);
  }

  /** The `limit` most frequent error kinds. */
  topErrors(limit: number): ErrorStat[] {
    return [...this.#errors.values()]
      .map((e) => ({ ...e }))
      .sort((x, y) => y.count - x.count || x.rule.localeCompare(y.rule) || x.field.localeCompare(y.field))
      .slice(0, limit);
  }

  /** Errors counted beyond `maxErrorKinds`. */
  get otherErrors(): number {
    return this.#otherErrors;
  }
}

function foldIndexes(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}
