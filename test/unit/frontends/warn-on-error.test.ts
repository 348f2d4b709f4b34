import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_EVENTS, createBus, defineEvent, EventRegistry, JsonCodec, Type } from '../../../src/index.js';
import { BufferFullError, DotbusError, TransportClosedError, warnOnError } from '../../../src/internal.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** What a terminal acts on: C0, DEL, C1, line/paragraph separators, bidi controls. */
const ACTED_ON = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

describe('the default onError (a process warning)', () => {
  it('shows a hostile message escaped and cut, never raw', async () => {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation(((message: string | Error) => void warnings.push(String(message))) as typeof process.emitWarning);
    const Hostile = defineEvent({ name: 'Hostile', type: 'hostile.thing', version: '1.0.0', schema: Type.Object({}) });
    // No onError: the default one warns.
    const bus = createBus({ events: [Hostile] });
    const payload = `\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\r\nforged line${'x'.repeat(2_000)}`;
    bus.subscribe('hostile.thing', () => {
      throw new Error(payload);
    });
    await bus.emit('hostile.thing', {});
    await bus.drain();
    await bus.close();
    const warning = warnings.find((w) => w.includes('pwned'));
    expect(warning, warnings.join('\n')).toBeDefined();
    expect(warning).not.toMatch(ACTED_ON);
    expect(warning).toContain('\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u000d\\u000aforged line');
    expect(warning!.length).toBeLessThan(600);
  });

  it('escapes a decode error that quotes part of the payload', () => {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation(((message: string | Error) => void warnings.push(String(message))) as typeof process.emitWarning);
    // The codec's message for malformed JSON carries a piece of the payload (V8's message).
    const result = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS])).decode(`x\u009b\u202e\u2028\u007f`);
    if (result.ok) throw new Error('decoded');
    warnOnError(result.error);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(ACTED_ON);
    expect(warnings[0]).toContain('\\u009b\\u202e\\u2028\\u007f');
  });
});

describe('the default onError is rate-limited', () => {
  it('warns once per error code every 10 s, and separately for each code', () => {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation(((_m: string | Error, options?: { code?: string }) => void warnings.push(options?.code ?? '')) as typeof process.emitWarning);
    vi.useFakeTimers({ now: Date.now() + 1e9 }); // past any warning earlier tests gave
    try {
      for (let i = 0; i < 5; i++) warnOnError(new BufferFullError('queue', 1));
      expect(warnings).toEqual(['BUFFER_FULL']);
      warnOnError(new TransportClosedError('t'));
      expect(warnings).toEqual(['BUFFER_FULL', 'TRANSPORT_CLOSED']);
      vi.advanceTimersByTime(9_000);
      warnOnError(new BufferFullError('queue', 1));
      expect(warnings).toHaveLength(2);
      vi.advanceTimersByTime(1_001);
      warnOnError(new BufferFullError('queue', 1));
      expect(warnings).toEqual(['BUFFER_FULL', 'TRANSPORT_CLOSED', 'BUFFER_FULL']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the default onError\'s limits, at their edges', () => {
  /** Collects the warnings' messages, with a clock far past any warning an earlier test gave. */
  function capture(offset: number): string[] {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation(((message: string | Error) => void warnings.push(String(message))) as typeof process.emitWarning);
    vi.useFakeTimers({ now: Date.now() + offset });
    return warnings;
  }

  it('warns again exactly 10 s after the last warning of a code', () => {
    const warnings = capture(2e9);
    try {
      warnOnError(new DotbusError('TIMED_OUT', 'first'));
      vi.advanceTimersByTime(9_999);
      warnOnError(new DotbusError('TIMED_OUT', 'too soon'));
      vi.advanceTimersByTime(1);
      warnOnError(new DotbusError('TIMED_OUT', 'due'));
      expect(warnings).toEqual(['first', 'due']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a message of exactly 500 characters whole, and cuts a longer one to 500 and an ellipsis', () => {
    const warnings = capture(3e9);
    try {
      warnOnError(new DotbusError('INVALID_OPTION', 'a'.repeat(500)));
      warnOnError(new DotbusError('INVALID_PATTERN', `${'b'.repeat(500)}c`));
      expect(warnings).toEqual(['a'.repeat(500), `${'b'.repeat(500)}…`]);
    } finally {
      vi.useRealTimers();
    }
  });
});
