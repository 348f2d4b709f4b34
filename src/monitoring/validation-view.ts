/** Where a validation context stands. */
export type ContextStatus = 'started' | 'running' | 'passed' | 'failed';

/** One phase of a validation context. */
export interface PhaseView {
  readonly phase: string;
  readonly status: 'running' | 'passed' | 'failed';
  /** From `validation.phase.completed`; absent while running. */
  readonly durationMs?: number;
  /** Errors the completed phase reported. */
  readonly errorCount: number;
}

/** One failed rule on one field, as a monitor keeps it. */
export interface FieldErrorView {
  readonly rule: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** Counters of one validation context. */
export interface ContextCounts {
  /** Validation events applied (each phase event once, though two subscriptions see it). */
  readonly events: number;
  /** Distinct (field, rule) errors kept, severity `error`. */
  readonly errors: number;
  /** Distinct (field, rule) errors kept, severity `warning`. */
  readonly warnings: number;
  readonly phasesStarted: number;
  readonly phasesCompleted: number;
  /** Errors not kept because of `maxErrorsPerContext`. */
  readonly errorsDropped: number;
  /** Phases not kept because of `maxPhasesPerContext`. */
  readonly phasesDropped: number;
}

/** A snapshot of one validation context (a run, a record, a batch). */
export interface ContextView {
  readonly contextId: string;
  /** What is validated, e.g. `order`. */
  readonly subject: string;
  readonly status: ContextStatus;
  /** When the first event of this context was created (producer's clock). */
  readonly firstEventAt: Date;
  /** When the latest event of this context was created (producer's clock). */
  readonly lastEventAt: Date;
  /** From `validation.completed` / `validation.failed`. */
  readonly durationMs?: number;
  /** The largest `recordCount` seen. */
  readonly recordCount?: number;
  /** Phases in the order they first appeared. */
  readonly phases: readonly PhaseView[];
  /** Errors keyed by formatted field path (`customer.address.zip`, `items[2].quantity`, `` for the record). */
  readonly errorsByField: ReadonlyMap<string, readonly FieldErrorView[]>;
  readonly counts: ContextCounts;
}

/** Aggregate timings of one phase name across contexts. */
export interface PhaseStat {
  readonly phase: string;
  readonly count: number;
  readonly meanMs: number;
  readonly maxMs: number;
  /** The context of the slowest run of this phase. */
  readonly slowestContextId: string;
}

/** How often one rule failed on one field (array indexes folded: `items[].quantity`). */
export interface ErrorStat {
  readonly rule: string;
  readonly field: string;
  readonly severity: 'error' | 'warning';
  readonly count: number;
}

/** What a {@link ValidationMonitoringService} has seen. */
export interface MonitoringSummary {
  /** Status of the contexts held now. */
  readonly byStatus: Readonly<Record<ContextStatus, number>>;
  /** Contexts that ended, including expired and evicted ones. */
  readonly finished: { readonly passed: number; readonly failed: number };
  readonly contexts: {
    /** Held now. */
    readonly live: number;
    /** Ever created. */
    readonly seen: number;
    /** Removed after `idleTimeoutMs` without events. */
    readonly expired: number;
    /** Removed because `maxContexts` was reached (least recently updated first). */
    readonly evicted: number;
  };
  /** Validation events applied. */
  readonly events: number;
  /** Events under `validation.*` that are not `ValidationEvent`s (e.g. a custom definition). */
  readonly ignored: number;
  /** Phases by their slowest run, slowest first. */
  readonly slowestPhases: readonly PhaseStat[];
  /** Most frequent errors first. */
  readonly topErrors: readonly ErrorStat[];
  /** Errors not broken down because `maxErrorKinds` distinct kinds were already counted. */
  readonly otherErrors: number;
}
