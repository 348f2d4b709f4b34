/**
 * Every error dotbus raises or reports is a {@link DotbusError} with a stable string `code`.
 *
 * @remarks Check `code`, not `instanceof`: two installed copies of dotbus have two classes.
 */

/** The stable codes of every {@link DotbusError}. */
export type DotbusErrorCode =
  | 'INVALID_EVENT_TYPE'
  | 'INVALID_PATTERN'
  | 'INVALID_EVENT'
  | 'DECODE_FAILED'
  | 'UNKNOWN_EVENT_TYPE'
  | 'DUPLICATE_DEFINITION'
  | 'HANDLER_FAILED'
  | 'BUFFER_FULL'
  | 'TRANSPORT_CLOSED'
  | 'CONNECTION_FAILED'
  | 'PUBLISH_FAILED'
  | 'INVALID_OPTION'
  | 'TIMED_OUT'
  | 'SIGNATURE_REJECTED';

/** Base class of all dotbus errors. */
export class DotbusError extends Error {
  constructor(
    readonly code: DotbusErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An event type that breaks the grammar of DESIGN §2 (`segment(.segment)*`, `[A-Za-z0-9_-]`, ≤ 255 chars). */
export class InvalidEventTypeError extends DotbusError {
  constructor(
    readonly eventType: string,
    reason: string,
  ) {
    super('INVALID_EVENT_TYPE', `invalid event type ${quote(eventType)}: ${reason}`);
  }
}

/** A subscription pattern that breaks the grammar of DESIGN §2. */
export class InvalidPatternError extends DotbusError {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super('INVALID_PATTERN', `invalid pattern ${quote(pattern)}: ${reason}`);
  }
}

/** One schema violation: where (a JSON pointer into the payload) and what was expected. */
export interface ValidationIssue {
  /** JSON pointer into the event's data, e.g. `/resourceUsage/cpuUserMs`; `` for the root. */
  readonly path: string;
  /** What was wrong, e.g. `Expected number`. */
  readonly message: string;
}

/** Event data that does not satisfy its definition's schema. */
export class InvalidEventError extends DotbusError {
  constructor(
    readonly eventType: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    const first = issues[0];
    const where = first === undefined ? '' : ` at ${first.path === '' ? '(root)' : first.path}: ${first.message}`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('INVALID_EVENT', `invalid data for ${eventType}${where}${more}`);
  }
}

/** Why a wire message could not be decoded. */
export type DecodeFailure =
  | 'oversize'
  | 'malformed-json'
  | 'forbidden-key'
  | 'not-a-cloudevent'
  | 'unknown-type'
  | 'unsupported-version'
  | 'schema-violation'
  | 'too-deep'
  /** Verification refused it: a {@link SignatureError} (code `SIGNATURE_REJECTED`), `rejection` says why. */
  | 'signature-rejected';

/** A wire message that could not be turned into an event. Never thrown by `decode`: returned. */
export class DecodeError extends DotbusError {
  constructor(
    readonly reason: DecodeFailure,
    detail: string,
    readonly issues: readonly ValidationIssue[] = [],
    options?: ErrorOptions,
    code: 'DECODE_FAILED' | 'SIGNATURE_REJECTED' = 'DECODE_FAILED',
  ) {
    super(code, code === 'DECODE_FAILED' ? `cannot decode message (${reason}): ${detail}` : detail, options);
  }
}

/** A type that no registered definition declares. */
export class UnknownEventTypeError extends DotbusError {
  constructor(readonly eventType: string) {
    super(
      'UNKNOWN_EVENT_TYPE',
      `no definition is registered for ${quote(String(eventType))}; pass its definition in \`events\``,
    );
  }
}

/** A handler threw or rejected; reported, never rethrown into the bus. */
export class HandlerError extends DotbusError {
  constructor(
    readonly pattern: string,
    readonly eventType: string,
    readonly eventId: string,
    cause: unknown,
  ) {
    super('HANDLER_FAILED', `handler for ${JSON.stringify(pattern)} failed on ${eventType} (${eventId}): ${describe(cause)}`, {
      cause,
    });
  }
}

/** A bounded buffer is full and its policy is `reject`. */
export class BufferFullError extends DotbusError {
  constructor(
    readonly buffer: string,
    readonly capacity: number,
  ) {
    super('BUFFER_FULL', `${buffer} is full (capacity ${capacity}); raise its capacity or choose another backpressure policy`);
  }
}

/** The transport was closed; publishing or subscribing is no longer possible. */
export class TransportClosedError extends DotbusError {
  constructor(transport: string) {
    super('TRANSPORT_CLOSED', `${transport} is closed; create a new one to publish again`);
  }
}

/** A broker could not be reached or refused the connection. */
export class ConnectionError extends DotbusError {
  constructor(message: string, options?: ErrorOptions) {
    super('CONNECTION_FAILED', message, options);
  }
}

/** Publishing failed in a way the caller should see (reported through `onError` by the publisher). */
export class PublishError extends DotbusError {
  constructor(
    readonly eventType: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super('PUBLISH_FAILED', `publishing ${eventType} failed: ${message}`, options);
  }
}

/** Why a consumer with verification keys refused an event (see the README's Security section). */
export type SignatureFailure =
  /** No `signature` / `signaturekeyid`, and `requireSigned` is on. */
  | 'unsigned'
  /** Only one of the two attributes, or a signature that is not 43 base64url characters. */
  | 'malformed-signature'
  /** `signaturekeyid` names no verification key of this consumer. */
  | 'unknown-key'
  /** The signature does not match the event: altered, or forged without the secret. */
  | 'bad-signature'
  /** Replay protection: the event's `time` is outside the window around this consumer's clock. */
  | 'outside-window'
  /** Replay protection: an event with this id was accepted within the window already. */
  | 'replayed';

const SIGNATURE_ADVICE: Readonly<Record<SignatureFailure, string>> = {
  unsigned: 'give the producer a signing key (`signingKey`, `--signing-key`), or turn `requireSigned` off while producers are being migrated',
  'malformed-signature': 'this is not what a dotbus producer writes: find who publishes on this namespace',
  'unknown-key': 'add the key to the verification keys before producers sign with it (rotation step 1), or find who holds that key',
  'bad-signature': 'the event was altered in transit or signed with another secret under this key id: check that producers and consumers load the same key file',
  'outside-window': 'check the clocks of producer and consumer (NTP), or widen `replayWindowMs`',
  replayed: 'someone re-sent an accepted event; if a producer reuses event ids, fix it',
};

/**
 * An event refused by verification before any handler saw it: a decode failure with code
 * `SIGNATURE_REJECTED` (so it travels every path an undecodable message does: counted, reported to
 * `onError`, dead-lettered on Streams) and its own `system.error.signature` event.
 */
export class SignatureError extends DecodeError {
  constructor(
    readonly rejection: SignatureFailure,
    detail: string,
    readonly eventId?: string,
    readonly keyId?: string,
  ) {
    super('signature-rejected', `event${eventId === undefined ? '' : ` ${quote(eventId)}`} rejected (${rejection}): ${detail}; ${SIGNATURE_ADVICE[rejection]}`, [], undefined, 'SIGNATURE_REJECTED');
  }
}

/** An option that is out of range or contradicts another. */
export class InvalidOptionError extends DotbusError {
  constructor(option: string, message: string) {
    super('INVALID_OPTION', `option \`${option}\`: ${message}`);
  }
}

/** Longest piece of untrusted text an error message quotes. */
const MAX_QUOTED = 80;

/**
 * `text` quoted for a message people read in a terminal: JSON-escaped, C1 controls and line or
 * bidi separators escaped as well (JSON leaves them raw), and cut to {@link MAX_QUOTED} characters.
 */
export function quote(text: string): string {
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A one-line description of anything thrown. */
export function describe(cause: unknown): string {
  try {
    // A hostile value (a revoked proxy, a throwing getter) must not make describing it throw.
    if (cause instanceof Error) return String(cause.message);
    return String(cause);
  } catch {
    return 'unprintable value';
  }
}

/**
 * Whether `value` is a dotbus error, judged by its `code` rather than `instanceof`, so that an
 * error from another installed copy of dotbus counts too.
 */
export function isDotbusError(value: unknown): value is DotbusError {
  try {
    if (!(value instanceof Error)) return false;
    const code: unknown = (value as Error & { code?: unknown }).code;
    return typeof code === 'string' && DOTBUS_CODES.has(code);
  } catch {
    return false; // a revoked proxy or a throwing getter is no dotbus error
  }
}

const DOTBUS_CODES: ReadonlySet<string> = new Set<DotbusErrorCode>([
  'INVALID_EVENT_TYPE', 'INVALID_PATTERN', 'INVALID_EVENT', 'DECODE_FAILED', 'UNKNOWN_EVENT_TYPE', 'DUPLICATE_DEFINITION',
  'HANDLER_FAILED', 'BUFFER_FULL', 'TRANSPORT_CLOSED', 'CONNECTION_FAILED', 'PUBLISH_FAILED', 'INVALID_OPTION', 'TIMED_OUT',
  'SIGNATURE_REJECTED',
]);

/** Wraps anything thrown as a {@link DotbusError} so that hooks always receive one. */
export function toDotbusError(cause: unknown, fallback: (message: string) => DotbusError): DotbusError {
  return isDotbusError(cause) ? cause : fallback(describe(cause));
}
