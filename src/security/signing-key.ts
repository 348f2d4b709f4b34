import { randomBytes } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';

/**
 * A shared secret for HMAC-SHA256 event signatures and the id that names it on the wire
 * (`signaturekeyid`), so that consumers can hold several keys during a rotation.
 */
export interface SigningKey {
  /** 1–64 characters of `A-Z a-z 0-9 . _ -`; public (every signed event carries it). */
  readonly id: string;
  /** The secret, at least 16 bytes (generated keys have 32). Never leaves the process. */
  readonly secret: Uint8Array;
}

/** What a key file holds: JSON with the id and the secret as base64url. */
export interface SigningKeyFile {
  readonly keyId: string;
  readonly algorithm: 'HMAC-SHA256';
  readonly secret: string;
  /** When the key was generated, RFC 3339 (informative). */
  readonly created?: string;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Shortest secret accepted, in bytes: below 128 bits an HMAC key can be guessed. */
export const MIN_SECRET_BYTES = 16;

/** A new key with a random 256-bit secret and an id made of the date and random hex. */
export function generateSigningKey(now: Date = new Date()): SigningKey {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return checkSigningKey({ id: `k${day}-${randomBytes(4).toString('hex')}`, secret: new Uint8Array(randomBytes(32)) });
}

/**
 * `key` after checking its id and secret length.
 * @throws {@link InvalidOptionError} naming what is wrong.
 */
export function checkSigningKey(key: SigningKey): SigningKey {
  if (typeof key !== 'object' || key === null) throw new InvalidOptionError('signingKey', 'must be an object with `id` and `secret`');
  if (typeof key.id !== 'string' || !KEY_ID.test(key.id)) {
    throw new InvalidOptionError('signingKey.id', 'must be 1–64 characters of A-Z a-z 0-9 . _ - (it is written on every signed event)');
  }
  if (!(key.secret instanceof Uint8Array) || key.secret.byteLength < MIN_SECRET_BYTES) {
    throw new InvalidOptionError('signingKey.secret', `must be at least ${MIN_SECRET_BYTES} bytes; generate one with \`dotbus keys generate\``);
  }
  return Object.freeze({ id: key.id, secret: Uint8Array.from(key.secret) });
}

/** The key file text of `key` (JSON, one object, a final newline). */
export function formatSigningKey(key: SigningKey, now: Date = new Date()): string {
  const file: SigningKeyFile = { keyId: key.id, algorithm: 'HMAC-SHA256', secret: Buffer.from(key.secret).toString('base64url'), created: now.toISOString() };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * The key in a key file's text.
 * @throws {@link InvalidOptionError} saying what the file lacks (never quoting the secret).
 */
export function parseSigningKey(text: string, origin = 'key file'): SigningKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidOptionError(origin, 'is not JSON; a key file is what `dotbus keys generate` writes');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError(origin, 'must hold a JSON object');
  const file = value as Partial<Record<keyof SigningKeyFile, unknown>>;
  if (file.algorithm !== undefined && file.algorithm !== 'HMAC-SHA256') throw new InvalidOptionError(origin, '`algorithm` must be "HMAC-SHA256"');
  if (typeof file.keyId !== 'string') throw new InvalidOptionError(origin, 'needs a `keyId` string');
  if (typeof file.secret !== 'string' || !BASE64URL.test(file.secret)) throw new InvalidOptionError(origin, 'needs a `secret` in base64url');
  const secret = new Uint8Array(Buffer.from(file.secret, 'base64url'));
  try {
    return checkSigningKey({ id: file.keyId, secret });
  } catch (e) {
    throw new InvalidOptionError(origin, e instanceof Error ? e.message : String(e));
  }
}
