import { type BusEvent, type FailureOutcome } from '../../index.js';
import { describeError, HandlerError, type TableSubscription } from '../../internal.js';
import { fullJitterDelay, type BackoffOptions } from '../backoff.js';

/** How handling one event went, after retries. */
export type HandlingOutcome =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly failures: readonly HandlerError[] };

/** What a {@link HandlerRunner} reports as it goes. */
export interface HandlerRunnerHooks {
  /** A handler call starts. */
  started(): void;
  /** A handler call threw or rejected (every attempt, for the counters). */
  failed(): void;
  /** A retry is scheduled. */
  retrying(): void;
}

/** Retry policy of a {@link HandlerRunner}. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoff: Required<BackoffOptions>;
}

/** Where a {@link HandlerRunner.run} starts: attempts made before (by other deliveries) and a hook before each retry. */
export interface RunStart {
  /** Attempts already made by earlier deliveries of the entry (see {@link AttemptLedger}). @default 0 */
  readonly prior?: number;
  /** Runs (and is awaited) right before each retry starts, e.g. to record it in Redis. */
  beforeRetry?(): Promise<void>;
}

/**
 * Runs the handlers of one event, retrying only those that failed, with exponential backoff and
 * full jitter, up to `maxAttempts` in all — earlier deliveries' attempts (`prior`) included.
 *
 * @remarks Handlers of one event run concurrently and are isolated from one another: one that
 * throws never keeps the others from running. A subscription that ended while its event waited
 * for a retry is not retried (nobody wants the event any more), nor is any handler once the
 * transport is closing (the entry stays pending for the group).
 */
export class HandlerRunner {
  constructor(
    private readonly policy: RetryPolicy,
    private readonly hooks: HandlerRunnerHooks,
  ) {}

  /**
   * Handles `event` with `subs`; resolves once all succeeded or the attempts ran out. Never rejects.
   * `attempts` in the outcome counts from the first delivery (`prior` included).
   */
  run(event: BusEvent, subs: readonly TableSubscription[], isClosing: () => boolean, start: RunStart = {}): Promise<HandlingOutcome> {
    const outcome = this.handle(event, subs, isClosing, start);
    return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
  }

  /**
   * {@link run}, with the outcome itself rather than a promise of it when every handler returned
   * without a promise and none failed at the first attempt (most events: nothing waits a turn).
   */
  handle(event: BusEvent, subs: readonly TableSubscription[], isClosing: () => boolean, start: RunStart = {}): HandlingOutcome | Promise<HandlingOutcome> {
    const attempt = (start.prior ?? 0) + 1;
    const called = this.#attempt(event, subs, attempt);
    if (Array.isArray(called) && called.length === 0) return succeededAt(attempt);
    return this.#retry(event, isClosing, start, attempt, called);
  }

  /** Goes on from an attempt that failed (or still runs): retries with backoff until done or out of attempts. */
  async #retry(event: BusEvent, isClosing: () => boolean, start: RunStart, first: number, called: Failure[] | Promise<Failure[]>): Promise<HandlingOutcome> {
    let attempt = first;
    let failed = await called;
    for (;;) {
      const todo = failed.map((f) => f.sub).filter((s) => s.active);
      if (todo.length === 0) return succeededAt(attempt);
      if (attempt >= this.policy.maxAttempts || isClosing()) break;
      this.hooks.retrying();
      await new Promise((r) => setTimeout(r, fullJitterDelay(attempt, this.policy.backoff)));
      if (isClosing()) break;
      await start.beforeRetry?.();
      attempt++;
      failed = await this.#attempt(event, todo, attempt);
    }
    return { ok: false, attempts: attempt, failures: failed.map((f) => f.error) };
  }

  /**
   * Calls each handler once; the failures, or a promise of them when a handler returned one.
   * The common case (every handler returns without a promise and without throwing) allocates
   * nothing but the shared empty list.
   */
  #attempt(event: BusEvent, subs: readonly TableSubscription[], attempt: number): Failure[] | Promise<Failure[]> {
    let failed: Failure[] | undefined;
    let waits: Promise<Failure | undefined>[] | undefined;
    const onFailure: FailureOutcome = attempt >= this.policy.maxAttempts ? 'dead-letter' : 'retry';
    for (const sub of subs) {
      this.hooks.started();
      try {
        const result = sub.handler(event, { pattern: sub.pattern, attempt, onFailure });
        if (result !== undefined && typeof (result as { then?: unknown }).then === 'function') (waits ??= []).push(this.#outcome(result, sub, event));
      } catch (e) {
        (failed ??= []).push(this.#failure(sub, event, e));
      }
    }
    if (waits !== undefined) return this.#gather(waits, failed);
    return failed ?? NO_FAILURES;
  }

  /** What the promise a handler returned comes to: `undefined`, or its failure. */
  #outcome(result: Promise<void>, sub: TableSubscription, event: BusEvent): Promise<Failure | undefined> {
    return result.then(
      () => undefined,
      (e: unknown) => this.#failure(sub, event, e),
    );
  }

  async #gather(waits: readonly Promise<Failure | undefined>[], failed: Failure[] | undefined): Promise<Failure[]> {
    for (const f of await Promise.all(waits)) if (f !== undefined) (failed ??= []).push(f);
    return failed ?? NO_FAILURES;
  }

  #failure(sub: TableSubscription, event: BusEvent, e: unknown): Failure {
    this.hooks.failed();
    return { sub, error: new HandlerError(sub.pattern, event.eventType, event.eventId, e) };
  }
}

/** A handler that failed in one attempt, and why. */
interface Failure {
  readonly sub: TableSubscription;
  readonly error: HandlerError;
}

/** Shared by every attempt in which no handler failed (never written to). */
const NO_FAILURES: Failure[] = [];

/** The outcome of most events: handled at the first attempt. */
const FIRST_ATTEMPT_OK: HandlingOutcome = Object.freeze({ ok: true, attempts: 1 });

function succeededAt(attempt: number): HandlingOutcome {
  return attempt === 1 ? FIRST_ATTEMPT_OK : { ok: true, attempts: attempt };
}

/** One line naming every failed handler, for the dead-letter entry. */
export function describeFailures(failures: readonly HandlerError[]): string {
  return failures.map((f) => `${f.pattern}: ${describeError(f.cause)}`).join('; ');
}
