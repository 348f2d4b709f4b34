import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ValidationEvent, type EventSink, type FieldError, type PublishReceipt } from '../../index.js';
import type { EventDrivenPerformanceCoordinator } from '../../monitoring/index.js';
import type { RecordValidator } from './record-validator.js';

/** Options of {@link ValidationPipeline}. */
export interface ValidationPipelineOptions<R> {
  /** Where `validation.*` events go. */
  readonly publisher: EventSink<ValidationEvent>;
  /** Times each phase of each record (and the batch) as `performance.*` events. */
  readonly coordinator: EventDrivenPerformanceCoordinator;
  readonly validator: RecordValidator<R>;
  /** What a record is, e.g. `order`; the batch is `<subject>-batch`. */
  readonly subject: string;
  /** The record's id; a record's context is `<runId>/<id>`. */
  readonly idOf: (record: R) => string;
  /** `source` of the events. @default '/dotbus/pipeline' */
  readonly source?: string;
  /** Records between yields to the event loop, so subscribers keep up. @default 32 */
  readonly yieldEvery?: number;
}

/** Outcome of {@link ValidationPipeline.run}. */
export interface PipelineResult {
  readonly runId: string;
  readonly records: number;
  readonly passed: number;
  readonly failed: number;
  /** Failures of severity `error`, over all records. */
  readonly errors: number;
  readonly warnings: number;
  readonly durationMs: number;
  /** `validation.*` events the publisher accepted (sent, or buffered while Redis is down). */
  readonly published: number;
  /** Events the publisher reported as dropped or failed. */
  readonly unpublished: number;
}

/** Called after each record. */
export type ProgressListener = (done: number, total: number) => void;

const DONE: Promise<void> = Promise.resolve();

type ValidationType = ValidationEvent['eventType'];
type ValidationData = ValidationEvent['data'];

/**
 * Validates records phase by phase and publishes the `validation.*` lifecycle of the batch and of
 * every record; phases are timed by the coordinator.
 *
 * @remarks Per record: `validation.started`, `validation.phase.started`/`completed` per phase,
 * `validation.error.occurred` when a rule failed, then `validation.completed` (passed, warnings
 * allowed) or `validation.failed` (at least one error). The batch context (`runId`) gets the same
 * lifecycle around one `validate` phase, and fails when any record failed. Publishes are awaited,
 * so a transport's backpressure slows the pipeline instead of growing a buffer.
 */
export class ValidationPipeline<R> {
  readonly #o: ValidationPipelineOptions<R>;
  readonly #source: string;
  #published = 0;
  #unpublished = 0;

  constructor(options: ValidationPipelineOptions<R>) {
    this.#o = options;
    this.#source = options.source ?? '/dotbus/pipeline';
  }

  /** Validates `records` as run `runId`. Never throws for invalid records: they are its output. */
  async run(runId: string, records: readonly R[], onProgress?: ProgressListener): Promise<PipelineResult> {
    const { coordinator, subject } = this.#o;
    const batch = `${subject}-batch`;
    const started = performance.now();
    this.#published = 0;
    this.#unpublished = 0;
    await this.#emit('validation.started', { contextId: runId, subject: batch, status: 'started', recordCount: records.length, errors: [] });
    await this.#emit('validation.phase.started', { contextId: runId, subject: batch, phase: 'validate', status: 'running', errors: [] });
    coordinator.startPhase('validate', { contextId: runId });
    const tally = { passed: 0, failed: 0, errors: 0, warnings: 0 };
    for (let i = 0; i < records.length; i++) {
      const errors = await this.#validateRecord(runId, records[i]!);
      const hard = errors.filter((e) => e.severity === 'error').length;
      tally.errors += hard;
      tally.warnings += errors.length - hard;
      if (hard > 0) tally.failed++;
      else tally.passed++;
      onProgress?.(i + 1, records.length);
      if ((i + 1) % (this.#o.yieldEvery ?? 32) === 0) await nextTurn();
    }
    coordinator.endPhase('validate', { contextId: runId, status: tally.failed > 0 ? 'failed' : 'completed' });
    const durationMs = performance.now() - started;
    if (records.length > 0) coordinator.recordMetric('record.mean', 'validate', durationMs / records.length, { contextId: runId });
    const status = tally.failed > 0 ? 'failed' : 'passed';
    const common = { contextId: runId, subject: batch, status, durationMs, recordCount: records.length, errors: [] } as const;
    await this.#emit('validation.phase.completed', { ...common, phase: 'validate' });
    await this.#emit(tally.failed > 0 ? 'validation.failed' : 'validation.completed', common);
    return { runId, records: records.length, ...tally, durationMs, published: this.#published, unpublished: this.#unpublished };
  }

  async #validateRecord(runId: string, record: R): Promise<FieldError[]> {
    const { coordinator, validator, subject } = this.#o;
    const contextId = `${runId}/${this.#o.idOf(record)}`;
    const started = performance.now();
    // One record's events are sent back to back and awaited together: a Redis round trip per
    // record instead of one per event, with the transport keeping them in order.
    const sent: Promise<void>[] = [this.#emit('validation.started', { contextId, subject, status: 'started', errors: [] })];
    const all: FieldError[] = [];
    for (const phase of validator.phases) {
      sent.push(this.#emit('validation.phase.started', { contextId, subject, phase, status: 'running', errors: [] }));
      const t0 = performance.now();
      const errors = coordinator.measure('validate-record', phase, () => validator.validatePhase(record, phase), { contextId });
      const durationMs = performance.now() - t0;
      const status = errors.some((e) => e.severity === 'error') ? 'failed' : 'passed';
      sent.push(this.#emit('validation.phase.completed', { contextId, subject, phase, status, durationMs, errors }));
      all.push(...errors);
    }
    if (all.length > 0) sent.push(this.#emit('validation.error.occurred', { contextId, subject, status: 'running', errors: all }));
    const failed = all.some((e) => e.severity === 'error');
    const durationMs = performance.now() - started;
    sent.push(this.#emit(failed ? 'validation.failed' : 'validation.completed', { contextId, subject, status: failed ? 'failed' : 'passed', durationMs, errors: all }));
    await Promise.all(sent);
    return all;
  }

  /** Publishes one event; the returned promise never rejects (failures are counted instead). */
  #emit(type: ValidationType, data: ValidationData): Promise<void> {
    const sink = this.#o.publisher;
    if (!sink.enabled) return DONE;
    try {
      return sink.publish(ValidationEvent.create(type, data, { source: this.#source })).then(this.#countReceipt, this.#countFailure);
    } catch {
      // The pipeline's job is validating; a transport failure is counted, not fatal.
      this.#unpublished++;
      return DONE;
    }
  }

  readonly #countReceipt = (receipt: PublishReceipt): void => {
    if (receipt.status === 'dropped' || receipt.status === 'failed') this.#unpublished++;
    else if (receipt.status !== 'skipped') this.#published++;
  };

  readonly #countFailure = (): void => {
    this.#unpublished++;
  };
}
