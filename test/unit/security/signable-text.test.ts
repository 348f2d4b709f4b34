import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, defineEvent, EventRegistry, EventSecurity, JsonCodec, Type } from '../../../src/index.js';

const Loose = defineEvent({ type: 'lab.loose', version: '2.1.0', schema: Type.Object({ any: Type.Unknown() }) });
const Other = defineEvent({ type: 'lab.other', version: '3.0.0', schema: Type.Object({ any: Type.Unknown() }) });
const registry = new EventRegistry([Loose, Other]);
const plain = new JsonCodec(registry);
/** Two signers and two types drawn at random: the attribute runs remembered from one event must not leak into the next. */
const signers = ['k.1', 'k-2'].map((id) => new JsonCodec(registry, { security: new EventSecurity({ signingKey: { id, secret: new Uint8Array(32).fill(3) } }) }));
/** The same type at two versions of one major (a decoded event keeps the version it was written at), and another type. */
const types = [['lab.loose', '2.1.0'], ['lab.other', '3.0.0'], ['lab.loose', '2.0.5']] as const;

/** JSON values as they come out of JSON text (no -0), without the keys the decoder refuses anywhere. */
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown).filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v)));
/** Attribute text the codec accepts (no control characters), with characters JSON must escape. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', '/', '-', 'é', '€', '😀', '"', '\\', '<'), minLength: 1, maxLength: 12 });

describe('the signed text of an event', () => {
  it('is the canonical JSON of the envelope the unsigned encoding writes, plus the key id', () => {
    fc.assert(
      fc.property(json, fc.oneof(fc.constantFrom('/lab', '/lab"2'), text), fc.option(text, { nil: undefined }), fc.option(fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), { nil: undefined }),
        fc.option(fc.constant('congo=t61rcWkgMzE'), { nil: undefined }), fc.option(fc.nat(), { nil: undefined }), fc.nat(1), fc.nat(2), fc.constantFrom('p-1', 'p"2'), (any, source, replayOf, traceparent, tracestate, seq, s, t, producerId) => {
          const [type, version] = types[t]!;
          const signer = signers[s]!;
          const keyId = s === 0 ? 'k.1' : 'k-2';
          const wire = {
            specversion: '1.0', id: 'e-1', source, type, time: '2026-11-30T01:02:03.456Z', datacontenttype: 'application/json',
            schemaversion: version, ...(replayOf === undefined ? {} : { replayof: replayOf }),
            ...(traceparent === undefined ? {} : { traceparent, ...(tracestate === undefined ? {} : { tracestate }) }), data: { any },
          };
          const decoded = plain.decode(JSON.stringify(wire));
          if (!decoded.ok) throw decoded.error;
          const stamp = seq === undefined ? undefined : { producerId, sequence: seq };
          const sent = signer.encode(decoded.event, stamp);
          const { signature, ...signed } = JSON.parse(sent) as Record<string, unknown>;
          expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(sent).toBe(`${canonicalJson({ ...plain.toWire(decoded.event, stamp), signaturekeyid: keyId }).slice(0, -1)},"signature":"${String(signature)}"}`);
          expect(signed['signaturekeyid']).toBe(keyId);
        }),
      { numRuns: 500 },
    );
  });
});
