/**
 * Type-level tests of the dashboard's seams: the Redis pieces fit its panels structurally (so
 * `dotbus/serve` never names ioredis), a bus is what it serves, and `/metrics` takes what
 * `dotbus/prometheus`'s `metricsText` reads.
 */
import type { AuditStore } from '../../src/audit/index.js';
import { createBus } from '../../src/index.js';
import { metricsText } from '../../src/prometheus/index.js';
import type { DeadLetterQueue, RedisPubSubTransport, RedisStreamsTransport } from '../../src/redis/index.js';
import { auditPanel, deadLetterPanel, serveDashboard, streamsPanel, type Dashboard, type DashboardPanel, type EventRow } from '../../src/serve/index.js';
import type { Equal, Expect } from './assert.js';

declare const streams: RedisStreamsTransport;
declare const pubsub: RedisPubSubTransport;
declare const queue: DeadLetterQueue;
declare const store: AuditStore;

streamsPanel(streams);
// @ts-expect-error Pub/Sub has no consumer groups
streamsPanel(pubsub);
deadLetterPanel(queue);
auditPanel(store);

const metrics = metricsText(() => undefined);
export const served: Promise<Dashboard> = serveDashboard({ bus: createBus(), metrics: metrics.read, panels: [deadLetterPanel(queue)] });
// @ts-expect-error the bus is required
void serveDashboard({ port: 0 });

// A panel of one's own: tables of text and numbers, read with the form's values.
export const own: DashboardPanel = {
  id: 'orders',
  title: 'Orders',
  form: [{ name: 'customer', label: 'Customer' }],
  read: (query) => [{ title: `orders of ${query['customer'] ?? 'all'}`, columns: ['id', 'total'], rows: [['o-1', 42]] }],
};
export const bad: DashboardPanel = {
  id: 'x',
  title: 'x',
  // @ts-expect-error a cell is text, a number, a boolean or null
  read: () => [{ title: 't', columns: ['c'], rows: [[{ nested: true }]] }],
};

export type Cases = [Expect<Equal<EventRow['traceId'], string | undefined>>, Expect<Equal<EventRow['data'], unknown>>];
