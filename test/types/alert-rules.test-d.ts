import { createBus, PerformanceEvent, ValidationEvent, type BuiltInEvent } from '../../src/index.js';
import { AlertEngine } from '../../src/monitoring/index.js';

const bus = createBus({ source: '/types' });
const alerts = new AlertEngine({ source: bus, publisher: bus, clock: 'events' });
const typed = new AlertEngine<BuiltInEvent>({ clock: 'events' });

// Value and group paths are checked against the pattern's events.
typed.threshold('performance.operation.complete', { name: 'a', value: 'data.durationMs', aggregate: 'p95', groupBy: ['data.operation'], window: '5m', above: 500 });
// @ts-expect-error: no such number in a performance event
typed.threshold('performance.operation.complete', { name: 'b', value: 'data.durationMs2', window: '5m', above: 500 });
// @ts-expect-error: operation is a string, not a number
typed.threshold('performance.operation.complete', { name: 'c', value: 'data.operation', window: '5m', above: 500 });
// @ts-expect-error: an unknown aggregate
typed.threshold('performance.*', { name: 'd', aggregate: 'p42', window: '5m', above: 1 });
// @ts-expect-error: a malformed duration
typed.threshold('performance.*', { name: 'e', window: 'five minutes', above: 1 });

// `where` callbacks see the data of the pattern's events.
typed.threshold('validation.failed', { name: 'f', window: '1m', above: 3, where: (e) => e.data.errors.length > 2 });
// @ts-expect-error: validation events have no durationMs… as a required number, and no `cpu` at all
typed.threshold('validation.failed', { name: 'g', window: '1m', above: 3, where: (e) => e.data.cpu > 2 });
typed.anomaly('performance.operation.complete', { name: 'h', value: (e) => e.data.resourceUsage.cpuUserMs });

// Sequence steps are typed one by one.
typed.sequence({
  name: 'i',
  steps: [typed.step('validation.error.occurred', { times: 2, where: (e) => e.data.errors[0]?.severity === 'error' }), typed.step('validation.completed')],
  correlate: ['data.contextId'],
  within: '1m',
});
// @ts-expect-error: an invalid pattern is a compile error
typed.step('validation.*x');

typed.absence('validation.started', { name: 'j', expect: 'validation.completed', correlate: ['data.contextId'], within: '30s', expectWhere: (e) => e.data.status === 'passed' });
// @ts-expect-error: correlate paths are paths of the events
typed.absence('validation.started', { name: 'k', correlate: ['data.nope'], within: '30s' });

// The events are inferred from the bus.
alerts.threshold('performance.operation.complete', { name: 'l', value: 'data.durationMs', window: 1000, above: 1 });
// @ts-expect-error: not a path of the bus's performance events
alerts.threshold('performance.operation.complete', { name: 'm', value: 'data.nope', window: 1000, above: 1 });
// Without typed events, any path goes.
new AlertEngine({ clock: 'events' }).threshold('anything.*', { name: 'n', value: 'data.whatever', window: 1000, above: 1 });
void PerformanceEvent;
void ValidationEvent;
