import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, defineEvent, EventRegistry, EventSecurity, JsonCodec, Type } from '../../../src/index.js';

const Loose = defineEvent({ type: 'lab.loose', version: '2.1.0', schema: Type.Object({ any: Type.Unknown() }) });
const registry = new EventRegistry([Loose]);
const plain = new JsonCodec(registry);
const signer = new JsonCodec(registry, { security: new EventSecurity({ signingKey: { id: 'k.1', secret: new Uint8Array(32).fill(3) } }) });

/** JSON values as they come out of JSON text (no -0), without the keys the decoder refuses anywhere. */
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown).filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v)));
/** Attribute text the codec accepts (no control characters), with characters JSON must escape. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', '/', '-', 'é', '€', '😀', '"', '\\', '<'), minLength: 1, maxLength: 12 });

describe('the signed text of an event', () => {
  it('is the canonical JSON of the envelope the unsigned encoding writes, plus the key id', () => {
    fc.assert(
      fc.property(json, text, fc.option(text, { nil: undefined }), fc.option(fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), { nil: undefined }),
        fc.option(fc.constant('congo=t61rcWkgMzE'), { nil: undefined }), fc.option(fc.nat(), { nil: undefined }), (any, source, replayOf, traceparent, tracestate, seq) => {
          const wire = {
            specversion: '1.0', id: 'e-1', source, type: 'lab.loose', time: '2026-11-30T01:02:03.456Z', datacontenttype: 'application/json',
            schemaversion: '2.1.0', ...(replayOf === undefined ? {} : { replayof: replayOf }),
            ...(traceparent === undefined ? {} : { traceparent, ...(tracestate === undefined ? {} : { tracestate }) }), data: { any },
          };
          const decoded = plain.decode(JSON.stringify(wire));
          if (!decoded.ok) throw decoded.error;
          const stamp = seq === undefined ? undefined : { producerId: 'p-1', sequence: seq };
          const sent = signer.encode(decoded.event, stamp);
          const { signature, ...signed } = JSON.parse(sent) as Record<string, unknown>;
          expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(sent).toBe(`${canonicalJson({ ...plain.toWire(decoded.event, stamp), signaturekeyid: 'k.1' }).slice(0, -1)},"signature":"${String(signature)}"}`);
          expect(signed['signaturekeyid']).toBe('k.1');
        }),
      { numRuns: 500 },
    );
  });
});
