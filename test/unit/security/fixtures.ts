import { BUILT_IN_EVENTS, defineEvent, EventRegistry, EventSecurity, JsonCodec, Type, type AnyEventDefinition, type EventSecurityOptions, type SigningKey } from '../../../src/index.js';

export const Reading = defineEvent({
  type: 'lab.reading',
  version: '1.0.0',
  schema: Type.Object({ value: Type.Number(), label: Type.String(), tags: Type.Array(Type.String()) }),
});

export const registry = new EventRegistry([...BUILT_IN_EVENTS, Reading] as AnyEventDefinition[]);

/** A key whose secret is `fill` repeated: readable in failures, distinct per fill. */
export function key(id: string, fill: number): SigningKey {
  return { id, secret: new Uint8Array(32).fill(fill) };
}

export const OLD = key('k-old', 1);
export const NEW = key('k-new', 2);

/** A codec signing or verifying with `options`. */
export function codecWith(options: EventSecurityOptions): { codec: JsonCodec; security: EventSecurity } {
  const security = new EventSecurity(options);
  return { codec: new JsonCodec(registry, { security }), security };
}

/** A signed wire message of a reading, stamped like a transport producer stamps it. */
export function signedReading(signer: JsonCodec, n = 1, time = new Date('2026-11-30T01:00:00.000Z')): string {
  const event = Reading.create({ value: n, label: `r${n}`, tags: ['a', 'ü'] }, { eventId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, source: '/lab', timestamp: time });
  return signer.encode(event, { producerId: 'p-1', sequence: n });
}
