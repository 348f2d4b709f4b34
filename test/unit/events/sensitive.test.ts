import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBus, defineEvent, EventRegistry, JsonCodec, maskEvent, SENSITIVE_MASK, Type, type DotbusError } from '../../../src/index.js';
import { compileSensitive, maskPaths, scrubText } from '../../../src/events/sensitive.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const CARD = '4111111111111111';
const Paid = defineEvent({
  name: 'Paid',
  type: 'order.paid',
  version: '1.0.0',
  sensitive: ['/card/number', '/payers/*/email', '/notes'],
  schema: Type.Object({
    orderId: Type.String(),
    card: Type.Object({ number: Type.String({ pattern: '^[0-9]{16}$' }), brand: Type.String() }),
    payers: Type.Array(Type.Object({ name: Type.String(), email: Type.String() })),
    notes: Type.Optional(Type.String()),
    amount: Type.Number({ minimum: 0 }),
  }),
});
const data = () => ({ orderId: 'o-1', card: { number: CARD, brand: 'visa' }, payers: [{ name: 'Ann', email: 'ann@example.org' }, { name: 'Bo', email: 'bo@example.org' }], amount: 5 });

describe('maskPaths', () => {
  const paths = (...p: string[]) => compileSensitive(p);

  it('masks nested fields and every element of an array, copying only the way there', () => {
    const original = Object.freeze({ a: Object.freeze({ b: 'secret', c: 'open' }), list: [{ x: 1, y: 2 }, { x: 3, y: 4 }], other: { untouched: true } });
    const masked = maskPaths(original, paths('/a/b', '/list/*/x')) as typeof original;
    expect(masked).toEqual({ a: { b: SENSITIVE_MASK, c: 'open' }, list: [{ x: SENSITIVE_MASK, y: 2 }, { x: SENSITIVE_MASK, y: 4 }], other: { untouched: true } });
    expect(masked.other).toBe(original.other);
    expect(original.a.b).toBe('secret');
  });

  it('a whole object, an index, every key of a record', () => {
    expect(maskPaths({ card: { n: 1 } }, paths('/card'))).toEqual({ card: SENSITIVE_MASK });
    expect(maskPaths({ l: ['a', 'b'] }, paths('/l/1'))).toEqual({ l: ['a', SENSITIVE_MASK] });
    expect(maskPaths({ r: { k1: 'a', k2: 'b' } }, paths('/r/*'))).toEqual({ r: { k1: SENSITIVE_MASK, k2: SENSITIVE_MASK } });
  });

  it('a path that leads nowhere masks and adds nothing', () => {
    const value = { a: 'text', l: [1], n: null };
    for (const p of ['/missing', '/a/deeper', '/l/5', '/l/x', '/l/01', '/n/x', '/missing/*/x']) expect(maskPaths(value, paths(p)), p).toBe(value);
    expect(maskPaths('scalar', paths('/a'))).toBe('scalar');
  });

  it('reads RFC 6901 escapes: ~1 is /, ~0 is ~', () => {
    expect(maskPaths({ 'a/b': 1, 'c~d': 2, a: { b: 3 } }, paths('/a~1b', '/c~0d'))).toEqual({ 'a/b': SENSITIVE_MASK, 'c~d': SENSITIVE_MASK, a: { b: 3 } });
  });

  it('refuses what is not a pointer to a field', () => {
    for (const bad of ['', 'card', 5]) expect(() => compileSensitive([bad as string])).toThrow(/sensitive/);
    expect(() => defineEvent({ type: 'x.y', version: '1.0.0', schema: Type.Object({}), sensitive: ['nope'] as never })).toThrow(/sensitive/);
  });
});

describe('scrubText', () => {
  it('masks each sensitive value (text and JSON), longest first, and leaves short ones', () => {
    const d = { s: 'secret-value', n: 12345, o: { k: 'v' }, tiny: 'ab' };
    const p = compileSensitive(['/s', '/n', '/o', '/tiny']);
    expect(scrubText('got secret-value and 12345 in {"k":"v"}; ab stays', d, p)).toBe('got *** and *** in ***; ab stays');
    expect(scrubText('no paths', d, [])).toBe('no paths');
  });
});

describe('maskEvent', () => {
  it("masks the definition's sensitive fields in the event's CloudEvents JSON, nothing else", () => {
    const event = Paid.create(data());
    const json = maskEvent(event);
    expect(json).toEqual({ ...(JSON.parse(JSON.stringify(event)) as object), data: { ...data(), card: { number: SENSITIVE_MASK, brand: 'visa' }, payers: [{ name: 'Ann', email: SENSITIVE_MASK }, { name: 'Bo', email: SENSITIVE_MASK }] } });
    expect(JSON.stringify(json)).not.toContain(CARD);
    // The event itself is untouched.
    expect(event.data.card.number).toBe(CARD);
  });

  it('masks a decoded event the same way; an untyped one (no definition) is as received', () => {
    const wire = JSON.stringify(Paid.create(data()));
    const typed = new JsonCodec(new EventRegistry([Paid])).decode(wire);
    expect(typed.ok && JSON.stringify(maskEvent(typed.event))).not.toContain(CARD);
    const untyped = new JsonCodec(new EventRegistry([]), { untyped: true }).decode(wire);
    expect(untyped.ok && JSON.stringify(maskEvent(untyped.event))).toContain(CARD);
  });

  it('a definition made by another copy of dotbus is read from its `sensitive` list', () => {
    // Same shape, other identity: what `--events` loads from an application's own install.
    const foreign = { ...Paid };
    const decoded = new JsonCodec(new EventRegistry([foreign])).decode(JSON.stringify(Paid.create(data())));
    expect(decoded.ok).toBe(true);
    expect(decoded.ok && JSON.stringify(maskEvent(decoded.event))).not.toContain(CARD);
    // One without the list (an older dotbus) masks nothing rather than failing.
    const older: Record<string, unknown> = { ...Paid };
    delete older['sensitive'];
    const plain = new JsonCodec(new EventRegistry([older as unknown as typeof Paid])).decode(JSON.stringify(Paid.create(data())));
    expect(plain.ok && JSON.stringify(maskEvent(plain.event))).toContain(CARD);
  });
});

describe('handlers get the values; errors and system.error events never show them', () => {
  it('a handler sees the card number; its error, quoting it, reaches system.error.handler masked', async () => {
    const errors: DotbusError[] = [];
    const bus = createBus({ events: [Paid], onError: (e) => void errors.push(e) });
    const seen: string[] = [];
    const reported: string[] = [];
    bus.subscribe('order.paid', (e) => {
      seen.push(e.data.card.number);
      throw new Error(`card ${e.data.card.number} declined for ${e.data.payers[0]!.email}`);
    });
    bus.subscribe('system.error.handler', (e) => void reported.push(e.data.message));
    await bus.emit('order.paid', data());
    await bus.drain();
    await bus.close();
    expect(seen).toEqual([CARD]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain('card *** declined for ***');
    // onError is the application's own hook: it gets the error as thrown.
    expect(errors[0]?.message).toContain(CARD);
  });

  it('the default onError warning masks them too', async () => {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation(((message: string | Error) => void warnings.push(String(message))) as typeof process.emitWarning);
    const bus = createBus({ events: [Paid] });
    bus.subscribe('order.paid', (e) => {
      throw new Error(`declined: ${e.data.card.number}`);
    });
    await bus.emit('order.paid', data());
    await bus.drain();
    await bus.close();
    const warning = warnings.find((w) => w.includes('declined'));
    expect(warning).toContain('declined: ***');
    expect(warning).not.toContain(CARD);
  });

  it('an invalid event: the error, its issues and the system.error.publish event hold no sensitive value', async () => {
    const reported: string[] = [];
    const bus = createBus({ events: [Paid], onError: () => {} });
    bus.subscribe('system.error.publish', (e) => void reported.push(e.data.message));
    // The card number breaks its own pattern: the issue is about the sensitive field itself.
    const bad = { ...data(), card: { number: `${CARD}x`, brand: 'visa' }, amount: -1 };
    const receipt = await bus.emit('order.paid', bad);
    await bus.drain();
    await bus.close();
    expect(receipt.status).toBe('failed');
    expect(receipt.error?.code).toBe('INVALID_EVENT');
    const issues = (receipt.error as unknown as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/card/number', '/amount']));
    for (const text of [receipt.error!.message, JSON.stringify(issues), ...reported]) expect(text).not.toContain(CARD);
    expect(reported).toHaveLength(1);
  });

  it('a message whose issue quotes the sensitive value shows it masked (decode errors too)', () => {
    const Quoting = defineEvent({ type: 'q.x', version: '1.0.0', sensitive: ['/pin'], schema: Type.Object({ pin: Type.Literal('00000') }) });
    const issues = Quoting.issues({ pin: '12345' });
    expect(issues.length).toBeGreaterThan(0);
    // TypeBox quotes the expected literal, not the value; a value equal to a quoted text is masked wherever it appears.
    const Same = defineEvent({ type: 'q.y', version: '1.0.0', sensitive: ['/pin'], schema: Type.Object({ pin: Type.Literal('99999'), other: Type.Literal(1) }) });
    const decoded = new JsonCodec(new EventRegistry([Same])).decode(JSON.stringify({ specversion: '1.0', id: 'i', source: '/s', type: 'q.y', time: new Date().toISOString(), schemaversion: '1.0.0', data: { pin: 'Expected', other: 2 } }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(JSON.stringify(decoded.error.issues)).not.toContain('Expected');
      expect(decoded.error.issues.some((i) => i.message.includes(SENSITIVE_MASK))).toBe(true);
    }
  });
});

describe('defineEvent checks its sensitive paths against the schema at run time too', () => {
  const schema = Type.Object({
    card: Type.Object({ number: Type.String() }),
    payers: Type.Array(Type.Object({ email: Type.String() })),
    pair: Type.Tuple([Type.String(), Type.Object({ pin: Type.String() })]),
    tags: Type.Record(Type.String(), Type.Object({ secret: Type.String() })),
    either: Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })]),
    both: Type.Intersect([Type.Object({ c: Type.String() }), Type.Object({ d: Type.String() })]),
    anything: Type.Unknown(),
    open: Type.Object({}, { additionalProperties: true }),
  });
  const define = (sensitive: string[]) => defineEvent({ name: 'Checked', type: 'x.checked', version: '1.0.0', schema, sensitive: sensitive as never });

  it('accepts every path the schema allows a value at', () => {
    const ok = ['/card', '/card/number', '/payers/*/email', '/payers/0/email', '/pair/1/pin', '/pair/*', '/tags/*/secret', '/tags/k/secret', '/either/a', '/either/b', '/both/d', '/anything/deep/er', '/open/whatever/x', '/*'];
    expect(define(ok).sensitive).toEqual(ok);
  });

  it.each([['/card/numbr'], ['/payers/email'], ['/card/number/x'], ['/either/z'], ['/tags/*/other'], ['/nope']])('refuses %s, naming it and the definition', (path) => {
    expect(() => define([path])).toThrow(new RegExp(`${JSON.stringify(path).replace(/[*/]/g, '\\$&')} names no field of Checked's schema`));
  });
});
