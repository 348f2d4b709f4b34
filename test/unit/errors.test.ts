import { describe, expect, it } from 'vitest';
import { isDotbusError } from '../../src/index.js';
import { DotbusError, PublishError } from '../../src/internal.js';

describe('isDotbusError', () => {
  it('recognises errors by code, also from another installed copy of dotbus', () => {
    class ForeignDotbusError extends Error {
      readonly code = 'BUFFER_FULL';
    }
    expect(isDotbusError(new PublishError('x', 'y'))).toBe(true);
    expect(isDotbusError(new DotbusError('TIMED_OUT', 'late'))).toBe(true);
    expect(isDotbusError(new ForeignDotbusError('full'))).toBe(true);
    expect(isDotbusError(Object.assign(new Error('fs'), { code: 'ENOENT' }))).toBe(false);
    expect(isDotbusError({ code: 'BUFFER_FULL', message: 'not an Error' })).toBe(false);
  });
});
