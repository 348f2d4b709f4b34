import { defineEvent, Type, type EventsOf } from '../../../../src/index.js';
import { AlertEngine, type AlertChange, type AlertEngineOptions } from '../../../../src/monitoring/index.js';

/** Test events: samples of a value per host, and jobs that start and finish. */
export const Sample = defineEvent({ type: 'metric.sample', version: '1.0.0', schema: Type.Object({ host: Type.String(), value: Type.Number() }) });
export const Job = defineEvent({
  type: ['job.started', 'job.step', 'job.finished', 'job.failed'],
  version: '1.0.0',
  schema: Type.Object({ jobId: Type.String(), attempt: Type.Optional(Type.Integer()) }),
});
export type TestEvent = EventsOf<[typeof Sample, typeof Job]>;

/** Epoch of the scripted streams: times in tests are seconds after it. */
export const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
export const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
/** A change's time as seconds after T0. */
export const sec = (ms: number): number => (ms - T0) / 1000;

export function sample(seconds: number, value: number, host = 'a'): TestEvent {
  return Sample.create({ host, value }, { timestamp: at(seconds) });
}

export function job(type: 'job.started' | 'job.step' | 'job.finished' | 'job.failed', seconds: number, jobId: string, attempt?: number): TestEvent {
  return Job.create(type, attempt === undefined ? { jobId } : { jobId, attempt }, { timestamp: at(seconds) });
}

/** An engine on a virtual clock (time moves with the events), recording every change. */
export function virtualEngine(options: Partial<AlertEngineOptions<TestEvent>> = {}) {
  const changes: AlertChange[] = [];
  const engine = new AlertEngine<TestEvent>({ clock: 'events', allowedLatenessMs: 0, onChange: (c) => changes.push(c), ...options });
  /** The changes so far as `state@seconds labels value`, the form the assertions read best in. */
  const log = (): string[] => changes.map((c) => `${c.rule} ${c.state}@${sec(c.at)}${Object.keys(c.labels).length === 0 ? '' : ` ${JSON.stringify(c.labels)}`}${c.value === null ? '' : ` =${c.value}`}`);
  const feed = (...events: TestEvent[]): void => events.forEach((e) => engine.push(e));
  return { engine, changes, log, feed };
}
