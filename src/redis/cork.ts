/**
 * Write coalescing for a connection's socket: the commands written during the rest of the
 * current task leave in one system call.
 */

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Sockets corked now, until their `process.nextTick` uncorks them. */
const corked = new WeakSet<object>();

/**
 * Holds `client`'s socket writes until the current task's synchronous run ends
 * (`process.nextTick`), so that a burst of commands leaves in one `writev` instead of one system
 * call each, while a lone command still leaves as soon as its task ends. Cheaper than ioredis's
 * auto-pipelining (no pipeline object, no promise per command) and no later. A no-op for a
 * client without a socket of its own (a Cluster, or one not connected yet).
 */
export function corkUntilTaskEnds(client: object): void {
  const stream = (client as { stream?: Partial<Corkable> }).stream;
  if (stream === undefined || typeof stream.cork !== 'function' || corked.has(stream)) return;
  const socket = stream as Corkable;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
