import { timingSafeEqual } from 'node:crypto';
import { InvalidOptionError, quote, SignatureError, type SignatureFailure } from '../errors.js';
import { parseIsoTime } from '../codec/iso-time.js';
import { canonicalJson } from './canonical-json.js';
import { HmacSha256 } from './hmac-sha256.js';
import { ReplayGuard, type ReplayGuardStats } from './replay-guard.js';
import { checkSigningKey, type SigningKey } from './signing-key.js';

/** CloudEvents extension holding the HMAC-SHA256 of the canonical event, base64url without padding. */
export const SIGNATURE_ATTRIBUTE = 'signature';
/** CloudEvents extension naming the key the signature was made with (covered by the signature). */
export const KEY_ID_ATTRIBUTE = 'signaturekeyid';

/** What {@link EventSecurity} takes; pass the instance to `createBus({ security })`. */
export interface EventSecurityOptions {
  /** The key this process signs the events it publishes with. @default none: events go out unsigned */
  readonly signingKey?: SigningKey | undefined;
  /**
   * The keys this process accepts signatures of; several during a rotation. Setting it turns
   * verification on: an event with a bad, malformed or unknown-key signature never reaches a handler.
   * @default none: nothing is verified
   */
  readonly verificationKeys?: readonly SigningKey[] | undefined;
  /** Refuse unsigned events too (needs `verificationKeys`). @default false */
  readonly requireSigned?: boolean | undefined;
  /**
   * Replay protection (needs `verificationKeys`): refuse events whose `time` is more than this
   * many milliseconds before or after this process's clock, and ids already accepted within it.
   * @default none: no replay protection
   */
  readonly replayWindowMs?: number | undefined;
  /** Replay protection: most event ids remembered; past it the oldest are forgotten (counted). @default 100_000 */
  readonly maxRememberedIds?: number | undefined;
  /** The clock replay protection compares with, in ms since the epoch. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** Counters of an {@link EventSecurity}. */
export interface SecurityStats {
  /** Events signed by this process. */
  readonly signed: number;
  /** Events that passed verification with a signature. */
  readonly verified: number;
  /** Unsigned events let through because `requireSigned` is off. */
  readonly unsignedAccepted: number;
  /** Events refused, by reason. */
  readonly rejected: Readonly<Record<SignatureFailure, number>>;
  /** Replay protection's memory, when it is on. */
  readonly replay?: ReplayGuardStats;
}

/** The outcome of {@link EventSecurity.verify}: the key id (`undefined`: unsigned, allowed), or why not. */
export type VerifyOutcome = { readonly ok: true; readonly keyId: string | undefined } | { readonly ok: false; readonly error: SignatureError };

const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{43}$/;
const UNSIGNED_OK: VerifyOutcome = Object.freeze({ ok: true, keyId: undefined });

/**
 * Signs events at encode time and verifies them at decode time, for every transport of a bus.
 *
 * @remarks The signature is HMAC-SHA256 over the UTF-8 bytes of the RFC 8785 canonical JSON of the
 * whole CloudEvent (every attribute, extensions such as `producerid`, `producerseq` and
 * `signaturekeyid` included, and `data`) except `signature`. The consumer computes it over the
 * object it parsed, the very object the handler's event is built from: a message with a
 * duplicated attribute (JSON keeps the last) is checked as the handler will see it. Comparison is
 * constant-time. Keys can be added and retired while running (see the README's rotation steps).
 */
export class EventSecurity {
  #signingKey: SigningKey | undefined;
  #signingSecret: HmacSha256 | undefined;
  /** Each key's HMAC, its padded keys computed once rather than on every event. */
  readonly #keys = new Map<string, HmacSha256>();
  readonly #verifies: boolean;
  readonly #requireSigned: boolean;
  readonly #guard: ReplayGuard | undefined;
  readonly #now: () => number;
  #signed = 0;
  #verified = 0;
  #unsignedAccepted = 0;
  readonly #rejected: Record<SignatureFailure, number> = {
    unsigned: 0, 'malformed-signature': 0, 'unknown-key': 0, 'bad-signature': 0, 'outside-window': 0, replayed: 0,
  };

  /** @throws {@link InvalidOptionError} for a bad key or an option that needs verification keys. */
  constructor(options: EventSecurityOptions = {}) {
    this.useSigningKey(options.signingKey);
    this.#verifies = options.verificationKeys !== undefined;
    for (const key of options.verificationKeys ?? []) this.addVerificationKey(key);
    this.#requireSigned = options.requireSigned === true;
    this.#now = options.now ?? Date.now;
    const window = options.replayWindowMs;
    if (!this.#verifies && (this.#requireSigned || window !== undefined)) {
      throw new InvalidOptionError(this.#requireSigned ? 'requireSigned' : 'replayWindowMs', 'needs `verificationKeys`: without them nothing is verified');
    }
    if (window !== undefined) {
      if (!(window > 0) || !Number.isFinite(window)) throw new InvalidOptionError('replayWindowMs', 'must be a positive number of milliseconds');
      const max = options.maxRememberedIds ?? 100_000;
      if (!Number.isInteger(max) || max < 1) throw new InvalidOptionError('maxRememberedIds', 'must be a positive integer');
      this.#guard = new ReplayGuard(window, max);
    }
  }

  /** Whether this process signs what it publishes. */
  get signs(): boolean {
    return this.#signingKey !== undefined;
  }

  /** Whether this process verifies what it receives. */
  get verifies(): boolean {
    return this.#verifies;
  }

  /** The id of the signing key, if any. */
  get signingKeyId(): string | undefined {
    return this.#signingKey?.id;
  }

  /** The ids of the verification keys. */
  get verificationKeyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /** Signs from now on with `key` (rotation step 2); `undefined` stops signing. */
  useSigningKey(key: SigningKey | undefined): void {
    this.#signingKey = key === undefined ? undefined : checkSigningKey(key);
    this.#signingSecret = this.#signingKey === undefined ? undefined : new HmacSha256(this.#signingKey.secret);
  }

  /** Accepts signatures made with `key` from now on (rotation step 1). Replaces a key of the same id. */
  addVerificationKey(key: SigningKey): void {
    const checked = checkSigningKey(key);
    this.#keys.set(checked.id, new HmacSha256(checked.secret));
  }

  /** Stops accepting signatures of the key `id` (rotation step 3); `false` if it was not there. */
  retireVerificationKey(id: string): boolean {
    return this.#keys.delete(id);
  }

  /**
   * The wire text of `wire` (a CloudEvent without signature attributes, which this adds
   * `signaturekeyid` to), signed: its canonical JSON and then `signature`. Without a signing key,
   * its canonical JSON.
   * @throws TypeError when `wire` holds something JSON can't carry.
   */
  encode(wire: Record<string, unknown>): string {
    const key = this.#signingKey;
    if (key === undefined) return canonicalJson(wire);
    wire[KEY_ID_ATTRIBUTE] = key.id;
    return this.seal(canonicalJson(wire));
  }

  /**
   * `canonical`, the canonical JSON of an object that names the signing key in `signaturekeyid`,
   * with `signature` appended as its last member: what a signer sends. Unchanged when this
   * process does not sign.
   */
  seal(canonical: string): string {
    const secret = this.#signingSecret;
    if (secret === undefined) return canonical;
    this.#signed++;
    return `${canonical.slice(0, -1)},"${SIGNATURE_ATTRIBUTE}":"${secret.base64url(canonical)}"}`;
  }

  /**
   * Checks the signature (and, when on, the time window and the id) of a parsed message. Never
   * throws. A message that is no object is let through: the codec refuses it anyway. `text`, the
   * message as received (when there is one), lets a message in the layout signers write skip
   * the canonical walk.
   */
  verify(message: unknown, redelivered = false, text?: string): VerifyOutcome {
    if (!this.#verifies || typeof message !== 'object' || message === null || Array.isArray(message)) return UNSIGNED_OK;
    const m = message as Record<string, unknown>;
    const eventId = typeof m['id'] === 'string' ? m['id'] : undefined;
    if (m[SIGNATURE_ATTRIBUTE] === undefined && m[KEY_ID_ATTRIBUTE] === undefined) {
      if (this.#requireSigned) return this.#reject('unsigned', 'it carries no signature and unsigned events are refused', eventId);
      this.#unsignedAccepted++;
      return UNSIGNED_OK;
    }
    const checked = this.#checkSignature(m, text);
    if (typeof checked !== 'string') return this.#reject(checked.reason, checked.detail, eventId, checked.keyId);
    const keyId = checked;
    const guard = this.#guard;
    if (guard !== undefined && eventId !== undefined && typeof m['time'] === 'string') {
      const now = this.#now();
      const time = parseIsoTime(m['time']);
      if (Number.isNaN(time)) return this.#reject('outside-window', '`time` is not an RFC 3339 instant', eventId, keyId);
      // A Streams entry delivered again (a retry after a crash, a claim) is the same event, not a replay.
      const verdict = redelivered ? (Math.abs(now - time) > guard.windowMs ? 'outside-window' : undefined) : guard.check(eventId, time, now);
      if (verdict === 'outside-window') return this.#reject(verdict, `its time is ${Math.round((time - now) / 1000)} s from this clock, outside the window of ±${guard.windowMs} ms`, eventId, keyId);
      if (verdict === 'replayed') return this.#reject(verdict, `an event with this id was accepted within the last ${guard.windowMs} ms`, eventId, keyId);
    }
    this.#verified++;
    return { ok: true, keyId };
  }

  /**
   * Checks the signature of a control message (a Pub/Sub heartbeat): the key id when it is signed
   * and valid, `undefined` when unsigned, the error otherwise. Not counted, no replay check: a
   * heartbeat is no event.
   */
  verifyControl(message: Readonly<Record<string, unknown>>): string | SignatureError | undefined {
    if (!this.#verifies || (message[SIGNATURE_ATTRIBUTE] === undefined && message[KEY_ID_ATTRIBUTE] === undefined)) return undefined;
    const checked = this.#checkSignature(message);
    return typeof checked === 'string' ? checked : new SignatureError(checked.reason, `heartbeat: ${checked.detail}`, undefined, checked.keyId);
  }

  /** The key id of a valid signature of `m`, or why it is not one. */
  #checkSignature(m: Readonly<Record<string, unknown>>, received?: string): string | { reason: SignatureFailure; detail: string; keyId?: string } {
    const signature = m[SIGNATURE_ATTRIBUTE];
    const keyId = m[KEY_ID_ATTRIBUTE];
    if (typeof keyId !== 'string' || typeof signature !== 'string' || !SIGNATURE_TEXT.test(signature)) {
      return { reason: 'malformed-signature', detail: '`signature` must be 43 base64url characters and come with a `signaturekeyid` string' };
    }
    const secret = this.#keys.get(keyId);
    if (secret === undefined) return { reason: 'unknown-key', detail: `key id ${quote(keyId)} is not a verification key here`, keyId };
    if (received !== undefined && signedAsReceived(secret, received, signature)) return keyId;
    let text: string;
    try {
      text = canonicalJson(m, SIGNATURE_ATTRIBUTE);
    } catch {
      return { reason: 'bad-signature', detail: 'it holds a value canonical JSON refuses', keyId };
    }
    const expected = Buffer.from(secret.base64url(text), 'latin1');
    const given = Buffer.from(signature, 'latin1');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { reason: 'bad-signature', detail: `its signature does not match its content under key ${quote(keyId)}`, keyId };
    }
    return keyId;
  }

  /** A snapshot of the counters. */
  stats(): SecurityStats {
    return {
      signed: this.#signed,
      verified: this.#verified,
      unsignedAccepted: this.#unsignedAccepted,
      rejected: { ...this.#rejected },
      ...(this.#guard === undefined ? {} : { replay: this.#guard.stats() }),
    };
  }

  #reject(reason: SignatureFailure, detail: string, eventId: string | undefined, keyId?: string): VerifyOutcome {
    this.#rejected[reason]++;
    return { ok: false, error: new SignatureError(reason, detail, eventId, keyId) };
  }
}

/**
 * Whether `received` is a signer's canonical text with `signature` appended as its last member,
 * as {@link EventSecurity.encode} writes it, and the signature is that text's. A match means a key
 * holder wrote exactly these bytes, so what `JSON.parse` makes of them is what was signed, and the
 * canonical walk is not needed; anything else (another writer's layout, spaces, a forgery) takes the
 * canonical check, which decides.
 */
function signedAsReceived(secret: HmacSha256, received: string, signature: string): boolean {
  const tail = `,"${SIGNATURE_ATTRIBUTE}":"${signature}"}`;
  if (!received.endsWith(tail)) return false;
  // The signed text is everything before the tail, closed again: hashed in two parts, not copied.
  const expected = secret.base64url(received.slice(0, received.length - tail.length), '}');
  // Compared as text: decoding the given one would let its last character's unused bits vary.
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(signature, 'latin1'));
}
