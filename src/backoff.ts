import { InvalidOptionError } from './errors.js';

/** Exponential backoff with full jitter (DESIGN §6). */
export interface BackoffOptions {
  /** First delay's upper bound, in ms. @default 100 */
  readonly baseMs?: number;
  /** Largest delay, in ms. @default 10_000 */
  readonly capMs?: number;
}

/**
 * Delay before retry `attempt` (1-based): uniformly random in `[0, min(cap, base · 2^(attempt-1))]`.
 *
 * @remarks Full jitter spreads the retries of many clients after an outage instead of
 * synchronising them. Shared by the Redis reconnects and the alert sinks.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 100;
  const cap = options.capMs ?? 10_000;
  if (!(base > 0) || !(cap >= base)) throw new InvalidOptionError('backoff', 'needs 0 < baseMs ≤ capMs');
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt - 1, 30));
  return Math.round(random() * ceiling);
}
