import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOfDefinition } from '../define-event.js';

/**
 * An alert changed state: `alert.pending` (its condition holds, waiting out the rule's `for`),
 * `alert.firing` (announced once per episode), `alert.resolved` (the condition cleared, or a
 * pending alert never fired: `firedAt` is then absent).
 *
 * @remarks Spec: "Future Integration Points — Alerting: event patterns trigger alert rules;
 * complex event processing for anomaly detection". Published by `AlertEngine` in
 * `dotbus/monitoring`. An alert is one rule and one set of labels (the values of the rule's
 * `groupBy` or `correlate` paths), identified by `fingerprint`. The event's `timestamp` is the
 * time of the change in event time (`at`), so the same events give the same alerts live and on
 * replay. Version 2 replaced `alert.triggered` by the pending / firing / resolved lifecycle.
 */
export const AlertEvent = defineEvent({
  name: 'AlertEvent',
  type: ['alert.pending', 'alert.firing', 'alert.resolved'],
  version: '2.0.0',
  schema: Type.Object({
    rule: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('threshold'), Type.Literal('sequence'), Type.Literal('absence'), Type.Literal('anomaly')]),
    state: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]),
    severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    labels: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
      description: 'Last segment of each groupBy / correlate path → its value, e.g. `{ "contextId": "c-1" }`',
    }),
    fingerprint: Type.String({ minLength: 1, description: 'Stable id of rule + labels' }),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'The value judged (aggregate, elapsed ms, observation); null when there is none' }),
    at: Type.String({ description: 'Time of the change, event time, RFC 3339 UTC' }),
    activeSince: Type.String({ description: 'When the condition first held in this episode, RFC 3339 UTC' }),
    firedAt: Type.Optional(Type.String({ description: 'When the alert started firing (absent while pending, and on a pending alert that cleared)' })),
    message: Type.String(),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  }),
});

/** Any `alert.*` event. */
export type AlertEvent = EventOfDefinition<typeof AlertEvent>;
