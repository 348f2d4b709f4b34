import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../../src/security/hmac-sha256.js';

const reference = (secret: Uint8Array, text: string): string => createHmac('sha256', secret).update(text, 'utf8').digest('base64url');

describe('HmacSha256', () => {
  it('gives the RFC 4231 test case 2 digest', () => {
    const hmac = new HmacSha256(new TextEncoder().encode('Jefe'));
    expect(Buffer.from(hmac.base64url('what do ya want ', 'for nothing?'), 'base64url').toString('hex'))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('equals createHmac for any key length (longer than a block too) and any text, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 3 }), (secret, text, suffix) => {
        const hmac = new HmacSha256(secret);
        expect(hmac.base64url(text, suffix)).toBe(reference(secret, text + suffix));
        expect(hmac.base64url(text)).toBe(reference(secret, text)); // the reused buffer keeps nothing of the call before
      }),
      { numRuns: 2_000 },
    );
  });

  it('grows past its first buffer for a long text and stays right for short ones after', () => {
    const secret = new Uint8Array(32).fill(9);
    const hmac = new HmacSha256(secret);
    for (const size of [10, 5_000, 400_000, 12]) {
      const text = 'é€'.repeat(size);
      expect(hmac.base64url(text)).toBe(reference(secret, text));
    }
  });
});
