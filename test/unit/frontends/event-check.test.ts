import { describe, expect, it } from 'vitest';
import { requireEvent } from '../../../src/frontends/event-check.js';
import { defineEvent, EventRegistry, isUntyped, JsonCodec, Type, type BusEvent } from '../../../src/index.js';
import { InvalidEventError, UnknownEventTypeError } from '../../../src/internal.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number() }) });
const registry = new EventRegistry([Paid]);

const EVENT_ID = '00000000-0000-4000-8000-000000000001';
/** A hand-written event of a registered type: everything `requireEvent` reads, nothing it built. */
const written = { eventType: 'billing.paid', version: '1.0.0', eventId: EVENT_ID, timestamp: new Date('2026-01-01T00:00:00.000Z'), source: '/billing', data: { amount: 3 } };

/** An event decoded from the wire by a codec that knows no definition for its type. */
function untypedEvent(type = 'order.placed'): BusEvent {
  const wire = JSON.stringify({ specversion: '1.0', id: 'x-1', source: '/orders', type, time: '2026-01-01T00:00:00.000Z', data: { id: 'o-1' } });
  const result = new JsonCodec(new EventRegistry([]), { untyped: true }).decode(wire);
  if (!result.ok) throw result.error;
  return result.event;
}

/** What `requireEvent` threw: the error itself, for exact class, code, message and issues. */
function thrownBy(value: unknown, untyped?: boolean): unknown {
  try {
    requireEvent(value, registry, untyped);
  } catch (e) {
    return e;
  }
  throw new Error('requireEvent accepted the value');
}

/** Asserts an InvalidEventError with exactly this type, message and single issue. */
function expectInvalid(error: unknown, eventType: string, path: string, message: string): void {
  expect(error).toBeInstanceOf(InvalidEventError);
  const e = error as InvalidEventError;
  expect(e.code).toBe('INVALID_EVENT');
  expect(e.eventType).toBe(eventType);
  expect(e.issues).toEqual([{ path, message }]);
  expect(e.message).toBe(`invalid data for ${eventType} at ${path === '' ? '(root)' : path}: ${message}`);
}

describe('requireEvent: what is not an event object', () => {
  // The message names the kind of value given, never its content.
  it.each([
    ['null', null, 'null'],
    ['an array', [written], 'an array'],
    ['a number', 42, 'a number'],
    ['a string', 'billing.paid', 'a string'],
    ['undefined', undefined, 'undefined'],
    ['a function', () => written, 'a function'],
  ])('refuses %s, naming its kind', (_name, value, kind) => {
    expectInvalid(thrownBy(value), '(none)', '', `Expected an event object, got ${kind}`);
  });

  it('refuses it the same way on an untyped bus', () => {
    expectInvalid(thrownBy(null, true), '(none)', '', 'Expected an event object, got null');
    expectInvalid(thrownBy(7, true), '(none)', '', 'Expected an event object, got a number');
  });
});

describe('requireEvent: a value that throws when read', () => {
  it('turns a throwing getter into an InvalidEventError of type (unreadable)', () => {
    const hostile = {
      get eventType(): string {
        throw new Error('no access');
      },
    };
    expectInvalid(thrownBy(hostile), '(unreadable)', '', 'reading the event threw: no access');
  });

  it('turns a revoked proxy (whose every look throws, Array.isArray included) into the same error', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const error = thrownBy(proxy);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).eventType).toBe('(unreadable)');
    expect((error as InvalidEventError).issues[0]!.message).toMatch(/^reading the event threw: .*revoked/);
  });
});

describe('requireEvent: the envelope of a hand-written event', () => {
  it('refuses an eventType that is no string', () => {
    expectInvalid(thrownBy({ ...written, eventType: 5 }), '(none)', '/eventType', 'Expected a string');
  });

  it('refuses a type no definition is registered for, with UnknownEventTypeError', () => {
    const error = thrownBy({ ...written, eventType: 'billing.refunded' });
    expect(error).toBeInstanceOf(UnknownEventTypeError);
    expect((error as UnknownEventTypeError).code).toBe('UNKNOWN_EVENT_TYPE');
    expect((error as UnknownEventTypeError).eventType).toBe('billing.refunded');
  });

  it('refuses a plain object of an unknown type on an untyped bus too: only an untyped event passes unchecked', () => {
    expect(thrownBy({ ...written, eventType: 'billing.refunded' }, true)).toBeInstanceOf(UnknownEventTypeError);
  });

  it.each([['2.0.0'], [2], [undefined]])('refuses version %j, naming the major the definition reads', (version) => {
    expectInvalid(thrownBy({ ...written, version }), 'billing.paid', '/version', 'Expected a version of major 1 (1.0.0)');
  });

  it.each(['eventId', 'timestamp', 'source'] as const)('refuses an event without %s', (key) => {
    const { [key]: _left, ...rest } = written;
    expectInvalid(thrownBy(rest), 'billing.paid', `/${key}`, 'is missing');
  });

  it('reports invalid data with the definition\'s own issues, not wrapped', () => {
    const error = thrownBy({ ...written, data: { amount: 'three' } });
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).eventType).toBe('billing.paid');
    expect((error as InvalidEventError).issues).toEqual([{ path: '/amount', message: 'Expected number' }]);
  });

  it('turns data that throws while checked into an InvalidEventError at /data', () => {
    const data = {
      get amount(): number {
        throw new Error('lazy field failed');
      },
    };
    expectInvalid(thrownBy({ ...written, data }), 'billing.paid', '/data', 'checking the data threw: lazy field failed');
  });

  it('rebuilds a valid hand-written event through its definition', () => {
    const event = requireEvent(written, registry);
    expect(event).not.toBe(written);
    expect(Paid.is(event)).toBe(true);
    expect(event).toMatchObject({ eventType: 'billing.paid', eventId: EVENT_ID, source: '/billing', data: { amount: 3 } });
    expect(Object.isFrozen(event)).toBe(true);
  });
});

describe('requireEvent: events dotbus built', () => {
  it('checks again an event another definition of the same type built: only its own registry\'s brand lets it through unchecked', () => {
    const Other = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.String() }) });
    const foreign = Other.create({ amount: 'three' });
    expectInvalid(thrownBy(foreign), 'billing.paid', '/amount', 'Expected number');
  });

  it('passes an event its registry\'s definition built as it is', () => {
    const event = Paid.create({ amount: 1 });
    expect(requireEvent(event, registry)).toBe(event);
  });

  it('passes an untyped event of an unknown type as it is only when asked to', () => {
    const event = untypedEvent();
    expect(isUntyped(event)).toBe(true);
    expect(requireEvent(event, registry, true)).toBe(event);
    expect(thrownBy(event, false)).toBeInstanceOf(UnknownEventTypeError);
  });

  it('refuses an untyped event by default (a typed bus never sends one unchecked)', () => {
    expect(() => requireEvent(untypedEvent(), registry)).toThrow(UnknownEventTypeError);
  });

  it('checks an untyped event of a registered type against its definition', () => {
    // Decoded without a definition: no version, so the definition's check refuses it.
    expectInvalid(thrownBy(untypedEvent('billing.paid'), true), 'billing.paid', '/version', 'Expected a version of major 1 (1.0.0)');
  });
});
