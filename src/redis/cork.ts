/**
 * Write coalescing for a connection's socket: the commands written during the rest of the
 * current task leave in one system call.
 */

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Sockets corked now, with the time their hold began (`performance.now()`, ms). */
const corked = new WeakMap<object, number>();

/**
 * Longest a corked command waits for later ones to join its write, in ms. A burst builds its
 * events one by one; without a bound the first of a 100-event catch-up burst would wait for the
 * other 99 to be built, which is what sets a tail latency. 0.1 ms still joins several commands
 * per system call at full speed.
 */
export const CORK_HOLD_LIMIT_MS = 0.1;

/**
 * Holds `client`'s socket writes until the current task's synchronous run ends
 * (`process.nextTick`) or the first held command has waited {@link CORK_HOLD_LIMIT_MS},
 * whichever comes first, so that a burst of commands leaves in a few `writev`s instead of one
 * system call each, while a lone command still leaves as soon as its task ends. Cheaper than
 * ioredis's auto-pipelining (no pipeline object, no promise per command). Call it before each
 * write. A no-op for a client without a socket of its own (a Cluster, or one not connected yet).
 * `at`: the time, `performance.now()` ms (given by tests).
 */
export function corkUntilTaskEnds(client: object, at?: number): void {
  const stream = (client as { stream?: Partial<Corkable> }).stream;
  if (stream === undefined || typeof stream.cork !== 'function') return;
  const socket = stream as Corkable;
  const now = at ?? performance.now();
  const since = corked.get(socket);
  if (since === undefined) {
    corked.set(socket, now);
    socket.cork();
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    });
  } else if (now - since >= CORK_HOLD_LIMIT_MS) {
    // What is held leaves now; the command about to be written starts the next hold.
    socket.uncork();
    socket.cork();
    corked.set(socket, now);
  }
}
