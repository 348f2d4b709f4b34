import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnyBusEvent, EventBus } from '../../index.js';
import { EventDrivenPerformanceCoordinator } from '../../monitoring/index.js';
import { generateOrders } from './dataset.js';
import { createOrderValidator } from './order-rules.js';
import { ValidationPipeline } from './validation-pipeline.js';

/** Options of {@link runDemoLoop}. */
export interface DemoLoopOptions {
  /** Orders per run. @default 50 */
  readonly records?: number;
  /** Pause between runs, in ms. @default 1_000 */
  readonly pauseMs?: number;
  /** Ends the loop (after the run under way). */
  readonly signal: AbortSignal;
}

/**
 * Runs the demo pipeline of `dotbus demo` again and again on `bus`, each run a new data set, so a
 * dashboard on the in-memory bus shows a live system. Resolves once `signal` aborts.
 */
export async function runDemoLoop(bus: EventBus<AnyBusEvent>, options: DemoLoopOptions): Promise<void> {
  const records = options.records ?? 50;
  const pauseMs = options.pauseMs ?? 1_000;
  for (let seed = 1; !options.signal.aborted; seed++) {
    const runId = `demo-${randomUUID().slice(0, 8)}`;
    const coordinator = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: runId, source: '/dotbus-cli/serve-demo' });
    try {
      const pipeline = new ValidationPipeline({
        publisher: bus, coordinator, validator: createOrderValidator(), subject: 'order', idOf: (o) => o.id, source: '/dotbus-cli/serve-demo',
      });
      await pipeline.run(runId, generateOrders({ count: records, seed }).orders);
    } finally {
      coordinator.close();
    }
    await sleep(pauseMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
