/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds; throws after `timeoutMs` with `what` in the message. */
export async function waitUntil(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Polls `done` every `intervalMs`; on timeout throws with `what` and `progress()` (which may ask Redis),
 * so a failure says what was reached. `fail` may end the wait early with a reason (e.g. a member died).
 */
export async function waitFor(
  what: string,
  timeoutMs: number,
  done: () => boolean | Promise<boolean>,
  progress: () => string | Promise<string>,
  fail: () => string | undefined = () => undefined,
  intervalMs = 20,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await done()) return;
    const reason = fail();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what} after ${Date.now() - started} ms: ${reason}; ${await progress()}`);
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${await progress()}`);
    await sleep(intervalMs);
  }
}
