import { isDotbusError, MetricsWindowEvent, type ErrorHook, type EventSink } from '../../index.js';
import { DotbusError, describeError } from '../../internal.js';

/**
 * Publishes window events and keeps what `close()` waits for: the publishes in flight.
 *
 * @remarks Never throws: data that makes no valid event (a sum that overflowed to infinity) is
 * counted and reported to `onError`; a `failed` receipt is counted (the bus reports it itself).
 */
export class WindowPublisher {
  readonly #inflight = new Set<Promise<void>>();
  #failed = 0;

  constructor(
    readonly sink: EventSink<MetricsWindowEvent>,
    readonly source: string,
    readonly name: string,
    readonly onError: ErrorHook,
  ) {}

  /** Window events that could not be built or whose publish failed. */
  get failed(): number {
    return this.#failed;
  }

  /** Publishes the window ending at `end` (ms), stamped with that time. */
  publish(end: number, data: MetricsWindowEvent['data']): void {
    let event: MetricsWindowEvent;
    try {
      event = MetricsWindowEvent.create(data, { source: this.source, timestamp: new Date(end) });
    } catch (error) {
      this.#failed++;
      this.#report(error);
      return;
    }
    const settled = this.sink.publish(event).then(
      (receipt) => {
        if (receipt.status === 'failed') this.#failed++;
      },
      () => {
        this.#failed++; // a sink should not reject; a bus never does, and reports its own failures
      },
    );
    this.#inflight.add(settled);
    void settled.finally(() => this.#inflight.delete(settled));
  }

  /** Resolves once every publish so far has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.#inflight);
  }

  #report(error: unknown): void {
    try {
      this.onError(isDotbusError(error) ? error : new DotbusError('INVALID_EVENT', `window event of ${this.name}: ${describeError(error)}`));
    } catch {
      // A throwing hook must not break the aggregation; there is nowhere left to report it.
    }
  }
}
