import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonCodec } from '../../../src/index.js';
import { codecWith, key, OLD, NEW, signedReading } from './fixtures.js';

/**
 * Hostile input for the verifier: whatever a message becomes, decoding never throws, and an event
 * it accepts is exactly the one that was signed (attributes, stamp, data), so no edit, however
 * encoded, gets a forged event to a handler. Each property states its number of runs: the counts
 * reported for the fuzzing are these.
 */
const RUNS = 2_000;

const { codec: signer } = codecWith({ signingKey: OLD });
const verifier = codecWith({ verificationKeys: [OLD, NEW], requireSigned: true }).codec;
const original = signedReading(signer, 7);
const originalWire = verifier.decode(original);

/** The signed content of a decoded message: what must be identical for an accepted one. */
function content(codec: JsonCodec, text: string): string | undefined {
  let result: ReturnType<JsonCodec['decode']>;
  expect(() => (result = codec.decode(text))).not.toThrow();
  result = codec.decode(text);
  if (!result.ok) {
    expect(result.error.code).toMatch(/^(SIGNATURE_REJECTED|DECODE_FAILED)$/);
    return undefined;
  }
  return JSON.stringify([codec.toWire(result.event, result.stamp), result.keyId]);
}

const expected = originalWire.ok ? JSON.stringify([verifier.toWire(originalWire.event, originalWire.stamp), originalWire.keyId]) : 'unreachable';

/** Members of the signed message as [name, JSON text] pairs, in wire order. */
const members = Object.entries(JSON.parse(original) as Record<string, unknown>).map(([k, v]) => [k, JSON.stringify(v)] as [string, string]);
const assemble = (pairs: readonly (readonly [string, string])[]): string => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
const names = fc.constantFrom(...members.map(([k]) => k), 'signature', 'signaturekeyid', 'producerseq', 'extra');

/** Every character of a string as a \u escape: the same value, written differently. */
const escaped = (text: string): string => `"${[...text].map((c) => [...c].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')).join('')}"`;

describe('verifier fuzzing', () => {
  it('accepts the untouched message', () => {
    expect(content(verifier, original)).toBe(expected);
  });

  it('hostile signatures never pass', () => {
    const signature = fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.base64String(), anyJson);
    fc.assert(fc.property(signature, (sig) => {
      const pairs = members.map(([k, v]) => [k, k === 'signature' ? (typeof sig === 'string' && !sig.startsWith('"') ? JSON.stringify(sig) : sig) : v] as const);
      const got = content(verifier, assemble(pairs));
      // Only the genuine signature (or one the generator happened to rebuild) can be accepted.
      if (got !== undefined) expect(got).toBe(expected);
    }), { numRuns: RUNS });
  });

  it('hostile key ids never pass, nor a valid signature of another key under a chosen id', () => {
    const other = codecWith({ signingKey: key('k-new', 77) }).codec; // same id as NEW, another secret
    const keyId = fc.oneof(fc.string(), fc.constantFrom('k-old', 'k-new', 'K-OLD', 'k-old ', 'k-old\u0000', '\u006b-old'), anyJson);
    fc.assert(fc.property(keyId, fc.boolean(), (id, useOther) => {
      const source = useOther ? signedReading(other, 7) : original;
      const pairs = Object.entries(JSON.parse(source) as Record<string, unknown>).map(([k, v]) => [k, k === 'signaturekeyid' ? JSON.stringify(id) : JSON.stringify(v)] as const);
      const got = content(verifier, assemble(pairs));
      if (got !== undefined) expect(got).toBe(expected);
    }), { numRuns: RUNS });
  });

  it('reordered, duplicated, re-escaped, re-written or changed members: accepted only when the handler would see the signed event', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('reorder' as const), seed: fc.integer() }),
      fc.record({ kind: fc.constant('duplicate' as const), name: names, value: anyJson, at: fc.nat() }),
      fc.record({ kind: fc.constant('escape' as const), name: names }),
      fc.record({ kind: fc.constant('number' as const), form: fc.constantFrom('7.0', '7e0', '70e-1', '0.7e1', '7.000000000000001', '-0', '7E+0') }),
      fc.record({ kind: fc.constant('set' as const), name: names, value: anyJson }),
      fc.record({ kind: fc.constant('delete' as const), name: names }),
    );
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      let pairs: (readonly [string, string])[] = members.map((m) => [...m] as const);
      for (const e of edits) {
        switch (e.kind) {
          case 'reorder': {
            const r = fc.sample(fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length }), { seed: e.seed, numRuns: 1 })[0]!;
            pairs = r;
            break;
          }
          case 'duplicate':
            pairs.splice(e.at % (pairs.length + 1), 0, [e.name, e.value]);
            break;
          case 'escape':
            pairs = pairs.map(([k, v]) => [k, k === e.name && v.startsWith('"') ? escaped(JSON.parse(v) as string) : v] as const);
            break;
          case 'number':
            pairs = pairs.map(([k, v]) => [k, k === 'data' ? v.replace('"value":7', `"value":${e.form}`) : v] as const);
            break;
          case 'set':
            pairs = pairs.map(([k, v]) => [k, k === e.name ? e.value : v] as const);
            break;
          case 'delete':
            pairs = pairs.filter(([k]) => k !== e.name);
            break;
        }
      }
      const got = content(verifier, assemble(pairs));
      if (got !== undefined) expect(got).toBe(expected);
    }), { numRuns: RUNS });
  });

  it('a duplicated attribute cannot show the verifier one value and the handler another', () => {
    // JSON keeps the last of two equal names: a forged first `data` is ignored by both, a forged last one fails the check.
    const data = members.find(([k]) => k === 'data')![1];
    const forged = '{"value":1000,"label":"forged","tags":[]}';
    const before = assemble([['data', forged], ...members]);
    const after = assemble([...members, ['data', forged]]);
    expect(content(verifier, before)).toBe(expected);
    expect(content(verifier, after)).toBeUndefined();
    expect(data).not.toBe(forged);
  });
});
