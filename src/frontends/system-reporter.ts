import type { BusEvent } from '../events/bus-event.js';
import { SystemErrorEvent } from '../events/builtin/system-events.js';
import type { DotbusError } from '../errors.js';
import type { BusObserver, DropReason } from '../observer.js';
import type { Transport } from '../transport.js';

/** Receives every failure the bus handled without throwing into the application. */
export type ErrorHook = (error: DotbusError, event?: BusEvent) => void;

const SYSTEM_ERROR_TYPE: Partial<Record<string, SystemErrorEvent['eventType']>> = {
  HANDLER_FAILED: 'system.error.handler',
  DECODE_FAILED: 'system.error.decode',
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
            message: error.message,
            ...(event === undefined ? {} : { eventType: event.eventType, eventId: event.eventId }),
          },
          { source: this.source },
        ),
      ),
    );
  }

  dropped(reason: DropReason, count: number, eventType?: string): void {
    safely(() => this.next.dropped(reason, count, eventType));
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

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A reporting hook that throws must never break publishing or dispatch.
  }
}

const lastWarning = new Map<string, number>();

/**
 * The default `onError`: a Node process warning, at most one per error code every 10 s, so a
 * failure is never silent and a flood of them never floods the log.
 */
export function warnOnError(error: DotbusError): void {
  const now = Date.now();
  if ((lastWarning.get(error.code) ?? 0) + 10_000 > now) return;
  lastWarning.set(error.code, now);
  process.emitWarning(error.message, { type: 'DotbusWarning', code: error.code });
}
