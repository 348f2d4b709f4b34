import { describe, expect, it } from 'vitest';
import { createBus, EventSecurity, generateSigningKey, parseSigningKey, formatSigningKey, signingKeyIdOf, type DotbusError, type SignatureError, type SystemErrorEvent } from '../../../src/index.js';
import { codecWith, key, NEW, OLD, Reading, signedReading } from './fixtures.js';

const reader = codecWith({ verificationKeys: [OLD], requireSigned: true });
const { codec: signer } = codecWith({ signingKey: OLD });

function edit(text: string, change: (m: Record<string, unknown>) => void): string {
  const m = JSON.parse(text) as Record<string, unknown>;
  change(m);
  return JSON.stringify(m);
}

function rejection(text: string, codec = reader.codec): string | undefined {
  const result = codec.decode(text);
  if (result.ok) return undefined;
  expect(result.error.code).toBe('SIGNATURE_REJECTED');
  return (result.error as SignatureError).rejection;
}

describe('signed events', () => {
  it('adds signaturekeyid and signature, and a verifier accepts the event unchanged with its key id', () => {
    const text = signedReading(signer);
    const m = JSON.parse(text) as Record<string, unknown>;
    expect(m['signaturekeyid']).toBe('k-old');
    expect(m['signature']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const result = reader.codec.decode(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.keyId).toBe('k-old');
    expect(signingKeyIdOf(result.event)).toBe('k-old');
    expect(result.stamp).toEqual({ producerId: 'p-1', sequence: 1 });
    expect(result.event.data).toEqual({ value: 1, label: 'r1', tags: ['a', 'ü'] });
  });

  it('refuses altered data, attributes, producer stamp and key id; forged and malformed signatures', () => {
    const text = signedReading(signer);
    expect(rejection(edit(text, (m) => ((m['data'] as { value: number }).value = 2)))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => (m['source'] = '/elsewhere')))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => (m['producerseq'] = '99')))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => (m['producerid'] = 'p-2')))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => (m['traceparent'] = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`)))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => delete m['producerseq']))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => (m['signature'] = 'A'.repeat(43))))).toBe('bad-signature');
    expect(rejection(edit(text, (m) => (m['signaturekeyid'] = 'k-new')))).toBe('unknown-key');
    expect(rejection(edit(text, (m) => (m['signature'] = 'short')))).toBe('malformed-signature');
    expect(rejection(edit(text, (m) => delete m['signaturekeyid']))).toBe('malformed-signature');
    expect(rejection(edit(text, (m) => (m['signature'] = 42)))).toBe('malformed-signature');
    const forged = codecWith({ signingKey: key('k-old', 9) }).codec;
    expect(rejection(signedReading(forged))).toBe('bad-signature');
  });

  it('refuses unsigned events only when required, and counts every outcome', () => {
    const plain = codecWith({}).codec;
    const unsigned = signedReading(plain);
    expect(rejection(unsigned)).toBe('unsigned');
    const lenient = codecWith({ verificationKeys: [OLD] });
    expect(lenient.codec.decode(unsigned).ok).toBe(true);
    expect(lenient.codec.decode(signedReading(signer)).ok).toBe(true);
    expect(lenient.security.stats()).toMatchObject({ verified: 1, unsignedAccepted: 1 });
    const counted = codecWith({ verificationKeys: [OLD], requireSigned: true });
    counted.codec.decode(unsigned);
    counted.codec.decode(edit(signedReading(signer), (m) => (m['id'] = '00000000-0000-4000-8000-000000000999')));
    expect(counted.security.stats().rejected).toMatchObject({ unsigned: 1, 'bad-signature': 1 });
  });

  it('says what to do in the error, and never quotes the secret', () => {
    const result = reader.codec.decode(edit(signedReading(signer), (m) => (m['signaturekeyid'] = 'k-zzz')));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('"k-zzz"');
    expect(result.error.message).toContain('add the key to the verification keys');
    expect(result.error.message).not.toContain(Buffer.from(OLD.secret).toString('base64url'));
  });

  it('checks its options', () => {
    expect(() => new EventSecurity({ requireSigned: true })).toThrow(/needs `verificationKeys`/);
    expect(() => new EventSecurity({ verificationKeys: [OLD], replayWindowMs: 0 })).toThrow(/replayWindowMs/);
    expect(() => new EventSecurity({ signingKey: { id: 'bad id', secret: new Uint8Array(32) } })).toThrow(/signingKey.id/);
    expect(() => new EventSecurity({ signingKey: { id: 'k', secret: new Uint8Array(8) } })).toThrow(/at least 16 bytes/);
  });
});

describe('key files', () => {
  it('round-trip through their text, and refuse what is not a key file', () => {
    const generated = generateSigningKey(new Date('2026-11-30T00:00:00Z'));
    expect(generated.id).toMatch(/^k20261130-[0-9a-f]{8}$/);
    expect(generated.secret.byteLength).toBe(32);
    const parsed = parseSigningKey(formatSigningKey(generated));
    expect(parsed.id).toBe(generated.id);
    expect(Buffer.from(parsed.secret).equals(Buffer.from(generated.secret))).toBe(true);
    expect(() => parseSigningKey('nope')).toThrow(/not JSON/);
    expect(() => parseSigningKey('{"keyId":"k","secret":"c2hvcnQ"}')).toThrow(/at least 16 bytes/);
    expect(() => parseSigningKey('{"keyId":"k","secret":"a+b/"}')).toThrow(/base64url/);
    expect(() => parseSigningKey('{"keyId":"k","algorithm":"md5","secret":"abc"}')).toThrow(/HMAC-SHA256/);
  });
});

describe('key rotation', () => {
  it('old key, then both, then new key: no valid event lost or refused, the retired key refused afterwards', () => {
    const producer = codecWith({ signingKey: OLD });
    const consumer = codecWith({ verificationKeys: [OLD], requireSigned: true });
    const wire: string[] = [];
    wire.push(signedReading(producer.codec, 1));
    consumer.security.addVerificationKey(NEW); // step 1: every consumer accepts the new key
    wire.push(signedReading(producer.codec, 2)); // still in flight with the old key
    producer.security.useSigningKey(NEW); // step 2: producers sign with it
    wire.push(signedReading(producer.codec, 3));
    const accepted = wire.map((w) => consumer.codec.decode(w));
    consumer.security.retireVerificationKey(OLD.id); // step 3: once no old event can still arrive
    wire.push(signedReading(producer.codec, 4));
    accepted.push(consumer.codec.decode(wire[3]!));
    expect(accepted.map((r) => (r.ok ? r.keyId : r.error.message))).toEqual(['k-old', 'k-old', 'k-new', 'k-new']);
    expect(consumer.security.stats().rejected['unknown-key']).toBe(0);
    expect(rejection(wire[0]!, consumer.codec)).toBe('unknown-key');
  });
});

describe('replay protection', () => {
  const at = Date.parse('2026-11-30T01:00:00.000Z');
  it('refuses events outside the window and ids seen within it; a redelivery is not a replay', () => {
    let now = at;
    const guarded = codecWith({ verificationKeys: [OLD], requireSigned: true, replayWindowMs: 60_000, now: () => now });
    const first = signedReading(signer, 1, new Date(at));
    expect(guarded.codec.decode(first).ok).toBe(true);
    expect(rejection(first, guarded.codec)).toBe('replayed');
    expect(guarded.codec.decode(first, true).ok).toBe(true);
    expect(rejection(signedReading(signer, 2, new Date(at - 61_000)), guarded.codec)).toBe('outside-window');
    expect(rejection(signedReading(signer, 3, new Date(at + 61_000)), guarded.codec)).toBe('outside-window');
    now = at + 120_000; // the first event is outside the window now: refused by time, and forgotten
    expect(rejection(first, guarded.codec)).toBe('outside-window');
    expect(guarded.codec.decode(signedReading(signer, 4, new Date(now))).ok).toBe(true);
    expect(guarded.security.stats().replay).toEqual({ remembered: 1, forgotten: 0 });
  });

  it('remembers at most maxRememberedIds, counting what it had to forget', () => {
    const guarded = codecWith({ verificationKeys: [OLD], replayWindowMs: 60_000, maxRememberedIds: 3, now: () => at });
    const sent = [1, 2, 3, 4, 5].map((n) => signedReading(signer, n, new Date(at)));
    for (const w of sent) expect(guarded.codec.decode(w).ok).toBe(true);
    expect(guarded.security.stats().replay).toEqual({ remembered: 3, forgotten: sent.length - 3 });
  });
});

describe('an InMemory bus with the same option', () => {
  it('signs at publish and verifies at dispatch: a bus without the key refuses what it is required to verify', async () => {
    const security = new EventSecurity({ signingKey: OLD, verificationKeys: [OLD], requireSigned: true });
    const bus = createBus({ events: [Reading], security, onError: () => {} });
    const got: unknown[] = [];
    bus.subscribe('lab.reading', (e) => void got.push(e.data.value));
    await bus.emit('lab.reading', { value: 1, label: 'a', tags: [] });
    await bus.drain();
    expect(got).toEqual([1]);
    expect(security.stats()).toMatchObject({ signed: 1, verified: 1 });

    const errors: DotbusError[] = [];
    const strict = createBus({ events: [Reading], security: new EventSecurity({ verificationKeys: [OLD], requireSigned: true }), onError: (e) => void errors.push(e) });
    const systemErrors: SystemErrorEvent[] = [];
    strict.subscribe('system.error.signature', (e) => void systemErrors.push(e));
    const handled: unknown[] = [];
    strict.subscribe('lab.reading', (e) => void handled.push(e));
    expect((await strict.emit('lab.reading', { value: 2, label: 'b', tags: [] })).status).toBe('accepted');
    await strict.drain();
    expect(handled).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_REJECTED']);
    expect(systemErrors.map((e) => e.data.reason)).toEqual(['unsigned']);
  });

  it('refuses what a publisher signs with a guessed secret or a key the bus does not hold, as across processes', async () => {
    for (const [signingKey, reason] of [[key('k-old', 9), 'bad-signature'], [key('k-other', 1), 'unknown-key']] as const) {
      const reasons: string[] = [];
      const bus = createBus({ events: [Reading], security: new EventSecurity({ signingKey, verificationKeys: [OLD], requireSigned: true }), onError: () => {} });
      bus.subscribe('system.error.signature', (e) => void reasons.push(e.data.reason ?? '?'));
      const handled: unknown[] = [];
      bus.subscribe('lab.reading', (e) => void handled.push(e));
      await bus.emit('lab.reading', { value: 3, label: 'c', tags: [] });
      await bus.drain();
      expect(handled).toEqual([]);
      expect(reasons).toEqual([reason]);
    }
  });
});
