import type { BusEvent } from '../events/bus-event.js';
import { SystemErrorEvent } from '../events/builtin/system-events.js';
import { SignatureError, type DotbusError } from '../errors.js';
import { scrubEventText } from '../events/mask-event.js';
import type { BusObserver, DropReason } from '../observer.js';
import type { Transport } from '../transport.js';

/** Receives every failure the bus handled without throwing into the application. */
export type ErrorHook = (error: DotbusError, event?: BusEvent) => void;

const SYSTEM_ERROR_TYPE: Partial<Record<string, SystemErrorEvent['eventType']>> = {
  HANDLER_FAILED: 'system.error.handler',
  DECODE_FAILED: 'system.error.decode',
  SIGNATURE_REJECTED: 'system.error.signature',
  PUBLISH_FAILED: 'system.error.publish',
  INVALID_EVENT: 'system.error.publish',
  UNKNOWN_EVENT_TYPE: 'system.error.publish',
  BUFFER_FULL: 'system.error.publish',
  TRANSPORT_CLOSED: 'system.error.publish',
  CONNECTION_FAILED: 'system.error.connection',
};

/**
 * The bus's observer: forwards failures to `onError` and the user's observer, and turns them into
 * `system.error.*` events on the local bus.
 *
 * @remarks A failure about a `system.error.*` event never produces another one, so a failing
 * `system.error.*` handler can't loop.
 */
export class SystemReporter implements BusObserver {
  constructor(
    private readonly transport: Transport,
    private readonly source: string,
    private readonly onError: ErrorHook,
    private readonly next: BusObserver,
  ) {}

  error(error: DotbusError, event?: BusEvent): void {
    safely(() => this.onError(error, event));
    safely(() => this.next.error(error, event));
    const type = SYSTEM_ERROR_TYPE[error.code];
    if (type === undefined || event?.eventType.startsWith('system.error.') === true) return;
    safely(() =>
      this.transport.publishLocal(
        SystemErrorEvent.create(
          type,
          {
            component: this.transport.name,
            code: error.code,
            // Handlers get sensitive fields; whoever reads system.error.* events must not.
            message: scrubEventText(error.message, event),
            ...(event === undefined ? {} : { eventType: event.eventType, eventId: event.eventId }),
            ...(error instanceof SignatureError ? signatureFields(error) : {}),
          },
          { source: this.source },
        ),
      ),
    );
  }

  dropped(reason: DropReason, count: number, eventType?: string, revealedBy?: BusEvent): void {
    safely(() => this.next.dropped(reason, count, eventType, revealedBy));
    if (reason !== 'lost') return;
    safely(() =>
      this.transport.publishLocal(
        SystemErrorEvent.create(
          'system.error.lost',
          {
            component: this.transport.name,
            code: 'EVENTS_LOST',
            message: `${count} event(s) were lost between processes`,
            count,
            ...(eventType === undefined ? {} : { eventType }),
          },
          { source: this.source },
        ),
      ),
    );
  }
}

/** What a `system.error.signature` event says besides the message: the reason, the event and key ids. */
function signatureFields(error: SignatureError): { reason: string; eventId?: string; keyId?: string } {
  return {
    reason: error.rejection,
    ...(error.eventId === undefined ? {} : { eventId: error.eventId }),
    ...(error.keyId === undefined ? {} : { keyId: error.keyId }),
  };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A reporting hook that throws must never break publishing or dispatch.
  }
}

const lastWarning = new Map<string, number>();

/** Longest message a warning shows; a message can carry a piece of a hostile payload. */
const MAX_WARNING = 500;

/**
 * The default `onError`: a Node process warning, at most one per error code every 10 s, so a
 * failure is never silent and a flood of them never floods the log. The message is shown with
 * control characters, line and bidi separators escaped (`\u001b`), cut to 500 characters: it
 * may quote a message from the network, and a terminal must show that, not act on it. The
 * sensitive values of `event` are masked (`***`).
 */
export function warnOnError(error: DotbusError, event?: BusEvent): void {
  const now = Date.now();
  if ((lastWarning.get(error.code) ?? 0) + 10_000 > now) return;
  lastWarning.set(error.code, now);
  process.emitWarning(escapeForLog(scrubEventText(error.message, event)), { type: 'DotbusWarning', code: error.code });
}

/** `text` cut to {@link MAX_WARNING} characters, with what a terminal would act on escaped as `\uXXXX`. */
function escapeForLog(text: string): string {
  const cut = text.length > MAX_WARNING ? `${text.slice(0, MAX_WARNING)}…` : text;
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
