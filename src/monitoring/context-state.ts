import { FieldPath, type DeepReadonly, type FieldError, type ValidationEvent } from '../index.js';
import type { ContextStatus, ContextView, FieldErrorView, PhaseView } from './validation-view.js';

/** Per-context limits. */
export interface ContextLimits {
  readonly maxPhases: number;
  readonly maxErrors: number;
}

/** An error this context had not seen before, for the service's frequency table. */
export type NewError = (error: DeepReadonly<FieldError>) => void;

interface MutablePhase {
  phase: string;
  status: PhaseView['status'];
  durationMs: number | undefined;
  errorCount: number;
}

const FINAL: ReadonlySet<ContextStatus> = new Set(['passed', 'failed']);

/**
 * The mutable state behind one {@link ContextView}: applies validation events in arrival order.
 *
 * @remarks Rules: `validation.started` sets `started`; phase events set `running` unless the context
 * already ended; `validation.completed` / `validation.failed` set `passed` or `failed` (a `failed`
 * status in the data wins). Errors from any event are kept once per (field, rule), because the same
 * error may appear in `validation.error.occurred`, the phase that found it and the final event.
 */
export class ContextState {
  readonly contextId: string;
  subject: string;
  status: ContextStatus = 'started';
  lastSeen: number;
  #firstAt: number;
  #lastAt: number;
  #durationMs: number | undefined;
  #recordCount: number | undefined;
  readonly #phases = new Map<string, MutablePhase>();
  readonly #errors = new Map<string, { path: string; error: FieldErrorView }>();
  #events = 0;
  #started = 0;
  #completed = 0;
  #errorsDropped = 0;
  #phasesDropped = 0;

  constructor(event: ValidationEvent, now: number) {
    this.contextId = event.data.contextId;
    this.subject = event.data.subject;
    this.lastSeen = now;
    this.#firstAt = event.timestamp.getTime();
    this.#lastAt = this.#firstAt;
  }

  /** Applies one event; returns the phase duration it completed, if any. */
  apply(event: ValidationEvent, limits: ContextLimits, onNewError: NewError): void {
    const d = event.data;
    this.#events++;
    this.#lastAt = Math.max(this.#lastAt, event.timestamp.getTime());
    if (d.subject !== '') this.subject = d.subject;
    if (d.recordCount !== undefined) this.#recordCount = Math.max(this.#recordCount ?? 0, d.recordCount);
    for (const e of d.errors) this.#addError(e, limits, onNewError);
    switch (event.eventType) {
      case 'validation.started':
        if (!FINAL.has(this.status)) this.status = 'started';
        break;
      case 'validation.phase.started':
      case 'validation.phase.completed':
        this.#applyPhase(event, limits);
        if (!FINAL.has(this.status)) this.status = 'running';
        break;
      case 'validation.error.occurred':
        if (!FINAL.has(this.status)) this.status = 'running';
        break;
      case 'validation.completed':
      case 'validation.failed':
        this.status = event.eventType === 'validation.failed' || d.status === 'failed' ? 'failed' : 'passed';
        if (d.durationMs !== undefined) this.#durationMs = d.durationMs;
        break;
    }
  }

  /** A frozen-shape copy for callers. */
  view(): ContextView {
    const errorsByField = new Map<string, FieldErrorView[]>();
    let errors = 0;
    for (const { path, error } of this.#errors.values()) {
      if (error.severity === 'error') errors++;
      const list = errorsByField.get(path);
      if (list === undefined) errorsByField.set(path, [error]);
      else list.push(error);
    }
    return {
      contextId: this.contextId, subject: this.subject, status: this.status,
      firstEventAt: new Date(this.#firstAt), lastEventAt: new Date(this.#lastAt),
      ...(this.#durationMs === undefined ? {} : { durationMs: this.#durationMs }),
      ...(this.#recordCount === undefined ? {} : { recordCount: this.#recordCount }),
      phases: [...this.#phases.values()].map(phaseView),
      errorsByField,
      counts: {
        events: this.#events, errors, warnings: this.#errors.size - errors,
        phasesStarted: this.#started, phasesCompleted: this.#completed,
        errorsDropped: this.#errorsDropped, phasesDropped: this.#phasesDropped,
      },
    };
  }

  #applyPhase(event: ValidationEvent, limits: ContextLimits): void {
    const name = event.data.phase ?? '(unnamed)';
    let phase = this.#phases.get(name);
    if (phase === undefined) {
      if (this.#phases.size >= limits.maxPhases) {
        this.#phasesDropped++;
        return;
      }
      phase = { phase: name, status: 'running', durationMs: undefined, errorCount: 0 };
      this.#phases.set(name, phase);
    }
    if (event.eventType === 'validation.phase.started') {
      this.#started++;
      phase.status = 'running';
      return;
    }
    this.#completed++;
    phase.status = event.data.status === 'failed' ? 'failed' : 'passed';
    phase.durationMs = event.data.durationMs;
    phase.errorCount = event.data.errors.length;
  }

  #addError(e: DeepReadonly<FieldError>, limits: ContextLimits, onNewError: NewError): void {
    const path = FieldPath.format(e.fieldPath);
    const key = `${path}\u0000${e.rule}`;
    if (this.#errors.has(key)) return;
    if (this.#errors.size >= limits.maxErrors) {
      this.#errorsDropped++;
      return;
    }
    this.#errors.set(key, { path, error: { rule: e.rule, message: e.message, severity: e.severity } });
    onNewError(e);
  }
}

function phaseView(p: MutablePhase): PhaseView {
  return p.durationMs === undefined
    ? { phase: p.phase, status: p.status, errorCount: p.errorCount }
    : { phase: p.phase, status: p.status, durationMs: p.durationMs, errorCount: p.errorCount };
}
