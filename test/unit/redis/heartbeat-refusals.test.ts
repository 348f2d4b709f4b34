/**
 * What the heartbeat decoder refuses and what it says: a heartbeat comes from the wire, so each
 * check is a defence against a hostile or broken producer and each message tells an operator which
 * part was wrong.
 */
import { describe, expect, it } from 'vitest';
import { EventSecurity } from '../../../src/index.js';
import { DecodeError } from '../../../src/internal.js';
import { decodeHeartbeat, encodeHeartbeat, MAX_HEARTBEAT_TYPES, type Heartbeat } from '../../../src/redis/pubsub/heartbeat.js';

const MIB = 1024 * 1024;

function refusal(raw: string | Buffer, security?: EventSecurity): { reason: string; message: string } {
  const out = decodeHeartbeat(raw, security);
  expect(out).toBeInstanceOf(DecodeError);
  const error = out as DecodeError;
  return { reason: error.reason, message: error.message };
}

function beat(fields: Record<string, unknown>): string {
  return JSON.stringify({ v: 1, producerid: 'p-1', seqs: { 'a.b': 1 }, ...fields });
}

/** A heartbeat padded with spaces (valid JSON) to exactly `bytes` long. */
function padded(bytes: number): string {
  const core = beat({});
  return core.slice(0, -1) + ' '.repeat(bytes - core.length) + '}';
}

describe('heartbeat size', () => {
  it('accepts exactly 1 MiB and refuses one byte more, as text and as bytes', () => {
    expect(padded(MIB)).toHaveLength(MIB);
    expect(decodeHeartbeat(padded(MIB))).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', 1]]) });
    expect(decodeHeartbeat(Buffer.from(padded(MIB)))).not.toBeInstanceOf(DecodeError);
    for (const raw of [padded(MIB + 1), Buffer.from(padded(MIB + 1))]) {
      expect(refusal(raw)).toEqual({ reason: 'oversize', message: 'cannot decode message (oversize): a heartbeat may not exceed 1 MiB' });
    }
  });
});

describe('heartbeat shape', () => {
  it.each([
    ['not JSON', 'nope', 'malformed-json', /^cannot decode message \(malformed-json\): heartbeat: /],
    ['an array', '[1]', 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: must be a JSON object'],
    ['null', 'null', 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: must be a JSON object'],
    ['a number', '7', 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: must be a JSON object'],
    ['version 2', beat({ v: 2 }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: `v` must be 1'],
    ['version "1"', beat({ v: '1' }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: `v` must be 1'],
    ['no producer id', beat({ producerid: undefined }), 'not-a-cloudevent', /^cannot decode message \(not-a-cloudevent\): heartbeat: `producerid` \S/],
    ['seqs null', beat({ seqs: null }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: `seqs` must be an object'],
    ['seqs an array', beat({ seqs: [1] }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: `seqs` must be an object'],
    ['seqs a number', beat({ seqs: 3 }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: `seqs` must be an object'],
    ['a bad type', beat({ seqs: { 'a..b': 1 } }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: "a..b" is not an event type'],
    ['a long bad type', beat({ seqs: { [`${'x'.repeat(100)} y`]: 1 } }), 'not-a-cloudevent', `cannot decode message (not-a-cloudevent): heartbeat: "${'x'.repeat(80)}" is not an event type`],
    ['sequence 0', beat({ seqs: { 'a.b': 0 } }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: sequence of a.b must be a positive integer'],
    ['sequence 1.5', beat({ seqs: { 'a.b': 1.5 } }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: sequence of a.b must be a positive integer'],
    ['sequence "2"', beat({ seqs: { 'a.b': '2' } }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: sequence of a.b must be a positive integer'],
    ['sequence 2^53', beat({ seqs: { 'a.b': 2 ** 53 } }), 'not-a-cloudevent', 'cannot decode message (not-a-cloudevent): heartbeat: sequence of a.b must be a positive integer'],
  ])('refuses %s and says which part', (_name, raw, reason, message) => {
    const out = refusal(raw);
    expect(out.reason).toBe(reason);
    if (typeof message === 'string') expect(out.message).toBe(message);
    else expect(out.message).toMatch(message);
  });

  it('refuses bytes that are not UTF-8 with its own message', () => {
    const raw = Buffer.concat([Buffer.from(beat({}).slice(0, 10)), Buffer.from([0xc3, 0x28]), Buffer.from(beat({}).slice(10))]);
    expect(refusal(raw)).toEqual({ reason: 'malformed-json', message: 'cannot decode message (malformed-json): heartbeat: not valid UTF-8' });
  });

  it(`accepts ${MAX_HEARTBEAT_TYPES} types and refuses one more`, () => {
    const seqs = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t.n${i}`, i + 1]));
    const most = decodeHeartbeat(beat({ seqs: seqs(MAX_HEARTBEAT_TYPES) })) as Heartbeat;
    expect(most.sequences.size).toBe(MAX_HEARTBEAT_TYPES);
    expect(most.sequences.get(`t.n${MAX_HEARTBEAT_TYPES - 1}`)).toBe(MAX_HEARTBEAT_TYPES);
    expect(refusal(beat({ seqs: seqs(MAX_HEARTBEAT_TYPES + 1) }))).toEqual({
      reason: 'not-a-cloudevent',
      message: `cannot decode message (not-a-cloudevent): heartbeat: \`seqs\` lists more than ${MAX_HEARTBEAT_TYPES} types`,
    });
  });

  it('keeps every type and the largest safe sequence', () => {
    const out = decodeHeartbeat(beat({ seqs: { 'a.b': Number.MAX_SAFE_INTEGER, 'c.d': 1 } }));
    expect(out).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', Number.MAX_SAFE_INTEGER], ['c.d', 1]]) });
  });
});

describe('signed heartbeats', () => {
  const key = { id: 'hb-key', secret: new Uint8Array(32).fill(7) };
  const signer = new EventSecurity({ signingKey: key });
  const verifier = new EventSecurity({ verificationKeys: [key] });

  it('carry the key id of their valid signature; unsigned ones carry none', () => {
    const signed = encodeHeartbeat('p-1', new Map([['a.b', 4]]), signer);
    expect(decodeHeartbeat(signed, verifier)).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', 4]]), keyId: 'hb-key' });
    expect(decodeHeartbeat(encodeHeartbeat('p-1', new Map([['a.b', 4]])), verifier)).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', 4]]) });
    // Without verification keys a signed heartbeat is read like an unsigned one.
    expect(decodeHeartbeat(signed)).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', 4]]) });
  });

  it('are refused when their content changed after signing, before any other check', () => {
    const signed = JSON.parse(encodeHeartbeat('p-1', new Map([['a.b', 4]]), signer)) as Record<string, unknown>;
    const forged = JSON.stringify({ ...signed, seqs: { 'a.b': 400 } });
    const out = decodeHeartbeat(forged, verifier);
    expect(out).toMatchObject({ code: 'SIGNATURE_REJECTED', rejection: 'bad-signature', keyId: 'hb-key' });
    expect((out as DecodeError).message).toMatch(/^event rejected \(bad-signature\): heartbeat: its signature does not match/);
    // A signed heartbeat whose version is wrong is refused for its signature first when forged ...
    expect(decodeHeartbeat(JSON.stringify({ ...signed, v: 2 }), verifier)).toMatchObject({ code: 'SIGNATURE_REJECTED' });
    // ... and for its version when the signer itself wrote it.
    expect(refusal(signer.encode({ v: 2, producerid: 'p-1', seqs: {} }), verifier).message).toBe('cannot decode message (not-a-cloudevent): heartbeat: `v` must be 1');
  });
});
