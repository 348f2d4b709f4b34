/**
 * Calls `onAbort` once when `signal` aborts, and returns the function that removes the listener
 * again, so that an ended subscription leaves nothing attached to a long-lived signal.
 */
export function linkAbort(signal: AbortSignal | undefined, onAbort: () => void): (() => void) | undefined {
  if (signal === undefined) return undefined;
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
