import { afterEach, describe, expect, it } from 'vitest';
import { AuditRecorder, openSqliteStore, type AuditRecord, type AuditStore } from '../../../src/audit/index.js';
import { createBus, EventSecurity, type SigningKey } from '../../../src/index.js';
import { OrderProbe, orderEvents } from '../../conformance/audit-samples.js';

const stores: AuditStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const KEY: SigningKey = { id: 'k-audit', secret: new Uint8Array(32).fill(5) };

async function recordThrough(security: EventSecurity): Promise<AuditRecord[]> {
  const store = await openSqliteStore({ path: ':memory:' });
  stores.push(store);
  const recorder = new AuditRecorder(store, { pattern: 'order.*', flushMs: 1 });
  const bus = createBus({ events: [OrderProbe], security, observer: recorder.observer, onError: () => {} });
  recorder.start(bus);
  const events = orderEvents(3);
  for (const e of events) await bus.publish(e as never);
  await bus.drain();
  await recorder.close();
  const out: AuditRecord[] = [];
  for await (const r of store.scan()) out.push(r);
  return out;
}

describe('AuditRecorder on a bus that verifies', () => {
  it('stores the key id of each signed event (the bus option is all it takes)', async () => {
    const records = await recordThrough(new EventSecurity({ signingKey: KEY, verificationKeys: [KEY], requireSigned: true }));
    expect(records.map((r) => [r.kind, r.keyId])).toEqual(orderEvents(3).map(() => ['event', 'k-audit']));
  });

  it('records no refused event as an event, only the refusal, with its reason', async () => {
    const records = await recordThrough(new EventSecurity({ verificationKeys: [KEY], requireSigned: true }));
    expect(records.map((r) => r.kind)).toEqual(orderEvents(3).map(() => 'raw'));
    expect(records[0]!.reason).toContain('rejected (unsigned)');
  });
});
