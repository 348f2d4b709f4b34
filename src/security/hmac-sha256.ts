import { hash } from 'node:crypto';

/** SHA-256's block size in bytes: HMAC pads its key to it. */
const BLOCK = 64;
const DIGEST = 32;
/** Scratch space kept between calls; a longer message gets a buffer of its own. */
const KEPT_SCRATCH_BYTES = 256 * 1024;

/**
 * HMAC-SHA256 (RFC 2104) of UTF-8 text under one key, the same bytes `createHmac('sha256', key)`
 * gives, built on the one-shot `crypto.hash`.
 *
 * @remarks Why not `createHmac`: a signed event pays for one HMAC, and `createHmac` spends more on
 * building its object than SHA-256 spends on a 400-byte event (about 1.9 µs against 1.1 µs here
 * on Node 20). The padded keys are computed once per key; the message is written after the inner
 * pad into a reused buffer, so an event costs two native hash calls and no allocation but the
 * digest text. A test checks it against `createHmac` on random keys and texts.
 */
export class HmacSha256 {
  /** `key ⊕ ipad` followed by room for the message. */
  #inner: Buffer;
  /** `key ⊕ opad` followed by the inner digest. */
  readonly #outer = Buffer.alloc(BLOCK + DIGEST);

  constructor(secret: Uint8Array) {
    // A key longer than a block is replaced by its digest (RFC 2104, section 2).
    const key = secret.byteLength > BLOCK ? hash('sha256', secret, 'buffer') : secret;
    this.#inner = Buffer.alloc(BLOCK + 1024);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.byteLength ? key[i]! : 0;
      this.#inner[i] = k ^ 0x36;
      this.#outer[i] = k ^ 0x5c;
    }
  }

  /** The HMAC of the UTF-8 bytes of `text` followed by those of `suffix`, as base64url without padding. */
  base64url(text: string, suffix = ''): string {
    const room = BLOCK + 3 * (text.length + suffix.length); // UTF-8 needs at most 3 bytes per UTF-16 unit
    let inner = this.#inner;
    if (inner.length < room) {
      inner = Buffer.allocUnsafe(Math.max(room, 2 * inner.length));
      this.#inner.copy(inner, 0, 0, BLOCK);
      if (inner.length <= KEPT_SCRATCH_BYTES) this.#inner = inner;
    }
    let end = BLOCK + inner.write(text, BLOCK, 'utf8');
    if (suffix !== '') end += inner.write(suffix, end, 'utf8');
    // 'binary' (latin1) keeps the 32 digest bytes as 32 characters, written back byte for byte below.
    this.#outer.write(hash('sha256', inner.subarray(0, end), 'binary'), BLOCK, 'binary');
    return hash('sha256', this.#outer, 'base64url');
  }
}
