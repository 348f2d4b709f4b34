import { Type, defineEvent, type AnyBusEvent } from '../../src/index.js';

/** DESIGN §2's pattern table, verbatim: pattern → [matches, does not match]. */
export const PATTERN_TABLE: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  ['validation.*', ['validation.started', 'validation.phase.completed'], ['validation', 'performance.metric.recorded']],
  ['*.error.*', ['validation.error.occurred', 'system.error.disk.full'], ['error.occurred', 'system.error']],
  ['*.started', ['validation.started', 'validation.phase.started'], ['started']],
  ['validation.+', ['validation.started'], ['validation.phase.completed']],
  ['performance.metric.recorded', ['performance.metric.recorded'], ['performance.metric', 'performance.metric.recorded.x', 'Performance.metric.recorded', 'validation.started']],
];

/** Every type the table names, plus a few neighbours. */
export const AUDIT_TYPES = [
  'validation.started', 'validation.phase.completed', 'validation', 'performance.metric.recorded', 'validation.error.occurred', 'system.error.disk.full',
  'error.occurred', 'system.error', 'validation.phase.started', 'started', 'performance.metric', 'performance.metric.recorded.x', 'Performance.metric.recorded',
  'validations.started', 'validation-x.started', 'order.placed', 'order.shipped', 'order.line.added',
] as const;

/** A family holding every type of {@link AUDIT_TYPES}. */
export const AuditProbe = defineEvent({
  name: 'AuditProbe',
  type: AUDIT_TYPES,
  version: '1.0.0',
  schema: Type.Object({ n: Type.Integer(), contextId: Type.Optional(Type.String()), text: Type.Optional(Type.String()), nested: Type.Optional(Type.Unknown()) }),
});

const TRACE = (i: number): string => `00-${i.toString(16).padStart(32, '0')}-00f067aa0ba902b7-01`;

/** `count` events cycling through {@link AUDIT_TYPES}, one ms apart from `start`, context `ctx-<i % 5>`, trace per event. */
export function auditEvents(count: number, start = Date.UTC(2025, 0, 1), offset = 0): AnyBusEvent[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    const type = AUDIT_TYPES[i % AUDIT_TYPES.length]!;
    return AuditProbe.create(type, { n: i, contextId: `ctx-${i % 5}` }, { timestamp: new Date(start + i), source: '/audit-test', trace: { traceparent: TRACE(i + 1) } }) as AnyBusEvent;
  });
}

/** The trace id of event `i` of {@link auditEvents}. */
export function traceIdOf(i: number): string {
  return (i + 1).toString(16).padStart(32, '0');
}

/** Order events only (no built-in type), for buses: `order.placed`, `order.shipped`, `order.line.added`. */
export const OrderProbe = defineEvent({
  name: 'OrderProbe',
  type: ['order.placed', 'order.shipped', 'order.line.added', 'audit.other'] as const,
  version: '1.0.0',
  schema: Type.Object({ n: Type.Integer(), contextId: Type.Optional(Type.String()) }),
});

/** `count` {@link OrderProbe} events cycling through its types, `stepMs` apart from `start`. */
export function orderEvents(count: number, start = Date.UTC(2025, 0, 1), stepMs = 1): AnyBusEvent[] {
  return Array.from({ length: count }, (_, i) => OrderProbe.create(OrderProbe.types[i % 4]!, { n: i, contextId: `ctx-${i % 5}` }, { timestamp: new Date(start + i * stepMs), source: '/audit-test' }) as AnyBusEvent);
}
