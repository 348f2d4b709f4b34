import type { BusEvent, DropReason } from '../index.js';
import type { ConnectionMonitor } from './connection-monitor.js';
import type { OutageBuffer } from './outage-buffer.js';
import type { ReplyTracker } from './reply-tracker.js';

/** What a producer hands {@link shutDownProducer}. */
export interface ProducerShutdown {
  readonly monitor: ConnectionMonitor;
  readonly buffer: OutageBuffer<BusEvent>;
  readonly replies: ReplyTracker;
  /** Sends what the outage buffer holds (only called while connected). */
  readonly flush: () => void;
  /** Runs after the flush, before the connection goes (e.g. a last heartbeat). */
  readonly beforeQuit?: () => void;
  readonly countDrop: (reason: DropReason, count: number, eventType: string) => void;
}

/**
 * Closes a producer's connection the same way for every Redis transport: keeps flushing the
 * outage buffer and waits for replies until `timeoutMs`, counts what is left as dropped
 * (`closed`), then quits (or disconnects, when Redis is not there to say goodbye to).
 */
export async function shutDownProducer(p: ProducerShutdown, timeoutMs: number): Promise<void> {
  const client = p.monitor.client;
  const deadline = Date.now() + timeoutMs;
  while ((p.buffer.size > 0 || p.replies.inFlight > 0) && Date.now() < deadline) {
    if (client.status === 'ready') p.flush();
    await new Promise((r) => setTimeout(r, 5));
  }
  p.beforeQuit?.();
  for (const e of p.buffer.clear()) p.countDrop('closed', 1, e.eventType);
  p.monitor.closing();
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
