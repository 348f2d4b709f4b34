import type { FieldError, FieldPath } from '../../index.js';

/** Reports one failed check of a rule. */
export type Report = (fieldPath: FieldPath, message: string, severity?: FieldError['severity']) => void;

/**
 * One typed validation rule over records of type `R`.
 *
 * @example
 * ```ts
 * const email: Rule<Order> = { id: 'customer.email.format', phase: 'fields',
 *   check: (o, report) => { if (!o.customer.email.includes('@')) report(['customer', 'email'], 'not an e-mail address'); } };
 * ```
 */
export interface Rule<R> {
  /** Machine-readable id, e.g. `customer.email.format`; becomes `FieldError.rule`. */
  readonly id: string;
  /** The phase the rule runs in, e.g. `fields`; phases run in the order they first appear. */
  readonly phase: string;
  /** Calls `report` once per failure; reporting nothing means the record passes. */
  check(record: R, report: Report): void;
}

/**
 * Runs typed rules over records, phase by phase, and returns their failures as {@link FieldError}s.
 *
 * @remarks Pure: it publishes nothing (the pipeline does). A rule that throws is reported as an
 * error of rule `<id>.crashed` on the record, so that one broken rule never hides the others.
 */
export class RecordValidator<R> {
  readonly #byPhase = new Map<string, Rule<R>[]>();

  constructor(rules: readonly Rule<R>[]) {
    for (const rule of rules) {
      const list = this.#byPhase.get(rule.phase);
      if (list === undefined) this.#byPhase.set(rule.phase, [rule]);
      else list.push(rule);
    }
  }

  /** Phase names, in run order. */
  get phases(): readonly string[] {
    return [...this.#byPhase.keys()];
  }

  /** Failures of the rules of `phase` on `record`. */
  validatePhase(record: R, phase: string): FieldError[] {
    const errors: FieldError[] = [];
    for (const rule of this.#byPhase.get(phase) ?? []) {
      const report: Report = (fieldPath, message, severity = 'error') => {
        errors.push({ fieldPath: [...fieldPath], rule: rule.id, message, severity });
      };
      try {
        rule.check(record, report);
      } catch (e) {
        errors.push({ fieldPath: [], rule: `${rule.id}.crashed`, message: e instanceof Error ? e.message : String(e), severity: 'error' });
      }
    }
    return errors;
  }

  /** Failures of every phase on `record`. */
  validate(record: R): FieldError[] {
    return this.phases.flatMap((phase) => this.validatePhase(record, phase));
  }
}
