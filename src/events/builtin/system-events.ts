import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOfDefinition } from '../define-event.js';

/**
 * Health of a dotbus component (a transport connection, a consumer), published on the local bus.
 */
export const SystemHealthEvent = defineEvent({
  name: 'SystemHealthEvent',
  type: ['system.health.up', 'system.health.down', 'system.health.degraded', 'system.health.reconnecting'],
  version: '1.0.0',
  schema: Type.Object({
    component: Type.String({ minLength: 1, description: 'e.g. `redis-pubsub/subscriber`' }),
    status: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('degraded'), Type.Literal('reconnecting')]),
    detail: Type.String(),
    attempt: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
});

/** Any `system.health.*` event. */
export type SystemHealthEvent = EventOfDefinition<typeof SystemHealthEvent>;

/**
 * A failure dotbus handled without throwing into the application: publish failures, handler
 * errors, undecodable messages, events refused by signature verification, events lost between processes.
 */
export const SystemErrorEvent = defineEvent({
  name: 'SystemErrorEvent',
  type: ['system.error.publish', 'system.error.handler', 'system.error.decode', 'system.error.signature', 'system.error.lost', 'system.error.connection'],
  version: '1.1.0',
  schema: Type.Object({
    component: Type.String({ minLength: 1 }),
    code: Type.String({ minLength: 1, description: 'The DotbusError code' }),
    message: Type.String(),
    eventType: Type.Optional(Type.String()),
    eventId: Type.Optional(Type.String()),
    producerId: Type.Optional(Type.String()),
    count: Type.Optional(Type.Integer({ minimum: 0, description: 'How many events this concerns, e.g. lost' })),
    reason: Type.Optional(Type.String({ description: 'The finer reason, e.g. `bad-signature` on system.error.signature' })),
    keyId: Type.Optional(Type.String({ description: 'The signature key id the refused event named, if any' })),
  }),
});

/** Any `system.error.*` event. */
export type SystemErrorEvent = EventOfDefinition<typeof SystemErrorEvent>;
