import { InvalidOptionError } from '../internal.js';
import type { RetentionPolicy } from './audit-store.js';

/**
 * The first position that stays under `policy`, for a log holding `first`…`last`:
 * `firstYoung(cutoff)` finds the first record recorded at or after `cutoff` (`undefined`: none).
 * Above `last` means every record goes.
 */
export function retentionStart(
  policy: RetentionPolicy,
  first: number,
  last: number,
  now: number,
  firstYoung: (cutoff: number) => number | undefined,
): number {
  let start = first;
  if (policy.maxRecords !== undefined) {
    if (!Number.isSafeInteger(policy.maxRecords) || policy.maxRecords < 0) throw new InvalidOptionError('maxRecords', 'must be a whole number, 0 or more');
    start = Math.max(start, last - policy.maxRecords + 1);
  }
  if (policy.maxAgeMs !== undefined) {
    if (!Number.isFinite(policy.maxAgeMs) || policy.maxAgeMs < 0) throw new InvalidOptionError('maxAgeMs', 'must be a number of ms, 0 or more');
    start = Math.max(start, firstYoung(now - policy.maxAgeMs) ?? last + 1);
  }
  return start;
}
