import type { ErrorHook } from '../../../index.js';
import { DotbusError, fullJitterDelay, InvalidOptionError, warnOnError, type BackoffOptions } from '../../../internal.js';

/** Counters of an HTTP alert sink. */
export interface SinkStats {
  /** Requests the receiver accepted (2xx). */
  readonly sent: number;
  /** Requests given up on: attempts used up, a 4xx other than 408/429, or dropped at close. */
  readonly failed: number;
  /** Attempts repeated after a failure. */
  readonly retries: number;
  /** Requests dropped because the queue was full. */
  readonly dropped: number;
  /** Requests waiting now. */
  readonly queued: number;
}

/** How an HTTP sink delivers. */
export interface HttpDeliveryOptions {
  /** Extra request headers (e.g. `authorization`). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time limit of one attempt, in ms. @default 5_000 */
  readonly timeoutMs?: number;
  /** Attempts per request, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Delays between attempts: full jitter, `[0, min(capMs, baseMs · 2^(n−1))]`. @default { baseMs: 200, capMs: 10_000 } */
  readonly backoff?: BackoffOptions;
  /** Most requests waiting; beyond it new ones are dropped and counted. @default 1_000 */
  readonly maxQueued?: number;
  /** How long `close()` keeps delivering what is queued, in ms; the rest is counted as failed. @default 10_000 */
  readonly closeTimeoutMs?: number;
  /** Where failures go. @default a rate-limited process warning */
  readonly onError?: ErrorHook;
}

/**
 * POSTs JSON bodies to one URL, one at a time and in order, retrying network failures, 5xx, 408
 * and 429 with full-jitter backoff. Never throws: failures are counted and reported.
 */
export class HttpDelivery {
  readonly #url: string;
  readonly #label: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffOptions;
  readonly #maxQueued: number;
  readonly #closeTimeoutMs: number;
  readonly #onError: ErrorHook;
  readonly #queue: string[] = [];
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #sent = 0;
  #failed = 0;
  #retries = 0;
  #dropped = 0;

  /** @throws {@link InvalidOptionError} for a URL that is not http(s) or an invalid option. */
  constructor(url: string, label: string, options: HttpDeliveryOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidOptionError('url', `${JSON.stringify(url)} is not a URL; write e.g. http://127.0.0.1:9093`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidOptionError('url', 'must be http:// or https://');
    this.#url = parsed.href;
    parsed.username = '';
    parsed.password = '';
    this.#label = `${label} ${parsed.origin}${parsed.pathname}`;
    this.#headers = { 'content-type': 'application/json', ...options.headers };
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5_000);
    this.#maxAttempts = positive('maxAttempts', options.maxAttempts ?? 5);
    this.#backoff = { baseMs: 200, capMs: 10_000, ...options.backoff };
    fullJitterDelay(1, this.#backoff); // checks the backoff options now, not at the first failure
    this.#maxQueued = positive('maxQueued', options.maxQueued ?? 1_000);
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.#onError = options.onError ?? warnOnError;
  }

  stats(): SinkStats {
    return { sent: this.#sent, failed: this.#failed, retries: this.#retries, dropped: this.#dropped, queued: this.#queue.length };
  }

  /** Queues `body` (serialised now) for delivery. */
  enqueue(body: unknown): void {
    if (this.#abort.signal.aborted) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#dropped++;
      this.#report(`queue full (${this.#maxQueued}): an alert was dropped`);
      return;
    }
    this.#queue.push(JSON.stringify(body));
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** Delivers what is queued (at most `closeTimeoutMs`), then stops. */
  async close(): Promise<void> {
    const timer = setTimeout(() => this.#abort.abort(), this.#closeTimeoutMs);
    try {
      while (this.#running !== undefined) await this.#running;
    } finally {
      clearTimeout(timer);
      this.#abort.abort();
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      if (this.#abort.signal.aborted) {
        this.#failed += this.#queue.length;
        this.#queue.length = 0;
        return;
      }
      const ok = await this.#deliver(this.#queue[0]!);
      this.#queue.shift();
      if (ok) this.#sent++;
      else this.#failed++;
    }
  }

  async #deliver(body: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      let why: string;
      try {
        const res = await fetch(this.#url, {
          method: 'POST',
          headers: this.#headers,
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#abort.signal]),
        });
        await res.arrayBuffer().catch(() => undefined); // free the connection
        if (res.ok) return true;
        why = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 408 && res.status !== 429) {
          this.#report(`refused the alert (${why}); not retried`);
          return false;
        }
      } catch (e) {
        why = (e as Error).message;
      }
      if (attempt >= this.#maxAttempts || this.#abort.signal.aborted) {
        this.#report(`gave up after ${attempt} attempt(s): ${why}`);
        return false;
      }
      this.#retries++;
      await sleep(fullJitterDelay(attempt, this.#backoff), this.#abort.signal);
    }
  }

  #report(what: string): void {
    try {
      this.#onError(new DotbusError('PUBLISH_FAILED', `${this.#label}: ${what}`));
    } catch {
      // nowhere left to report
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function positive(option: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 1)) throw new InvalidOptionError(option, `must be ≥ 1, got ${value}`);
  return value;
}
