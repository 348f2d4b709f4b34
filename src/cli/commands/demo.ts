import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { EventDrivenPerformanceCoordinator, ValidationMonitoringService } from '../../monitoring/index.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type ConnectionFlags, type OpenBus } from '../connection-options.js';
import { generateOrders } from '../demo/dataset.js';
import { createOrderValidator } from '../demo/order-rules.js';
import { ValidationPipeline } from '../demo/validation-pipeline.js';
import type { CliIO } from '../io.js';
import { integerIn } from '../options.js';
import { ProgressBar } from '../progress-bar.js';
import { addSigningOption, signingFromFlags, type SigningFlags } from '../security-options.js';
import { renderDemoReport } from '../summary-report.js';

interface DemoFlags extends ConnectionFlags, SigningFlags {
  readonly records: number;
  readonly seed: number;
}

/** How long to wait for events to come back through Redis before reporting, in ms. */
const SETTLE_MS = 5_000;

/** `dotbus demo`: validates a generated order set, monitors it over the bus, prints the summary. */
export const demoCommand: CommandModule = {
  name: 'demo',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('demo')
      .description('validate a generated set of orders (some broken on purpose) and print the monitoring summary')
      .option('--records <n>', 'how many orders to generate', integerIn(1, 1_000_000), 1_000)
      .option('--seed <n>', 'seed of the data set (same seed, same orders)', integerIn(0, 2 ** 32 - 1), 42);
    addSigningOption(cmd);
    addConnectionOptions(cmd, 'optional')
      .addHelpText('after', '\nExamples:\n  dotbus demo\n  dotbus demo --records 5000 --redis redis://127.0.0.1:6379')
      .action((flags: DemoFlags) => runDemo(flags, io));
  },
};

async function runDemo(flags: DemoFlags, io: CliIO): Promise<void> {
  const open = await openBus(flags, io, { subscribes: true, security: await signingFromFlags(flags, io) });
  // Subscribe first, and let Redis confirm it, before anything is published: a Pub/Sub message
  // sent before the subscription is in place reaches nobody.
  const monitor = new ValidationMonitoringService({ subscriber: open.bus, maxContexts: Math.max(10_000, flags.records + 1) });
  const runId = `demo-${randomUUID().slice(0, 8)}`;
  const coordinator = new EventDrivenPerformanceCoordinator({ publisher: open.bus, contextId: runId, source: '/dotbus-cli/demo' });
  try {
    await open.ready('reach Redis at');
    const dataset = generateOrders({ count: flags.records, seed: flags.seed });
    const pipeline = new ValidationPipeline({
      publisher: open.bus, coordinator, validator: createOrderValidator(), subject: 'order', idOf: (o) => o.id, source: '/dotbus-cli/demo',
    });
    const bar = new ProgressBar(io, 'validating', 'orders');
    const result = await pipeline.run(runId, dataset.orders, (done, total) => bar.update(done, total));
    bar.finish();
    if (!(await settle(open, monitor, runId))) {
      // Pub/Sub is at-most-once: a report without the run's end is still worth printing, with a note.
      io.stderr.write(`dotbus: warning: the end of run ${runId} did not come back from ${open.label} within ${SETTLE_MS / 1000} s; the summary may be incomplete\n`);
    }
    const report = {
      summary: monitor.summary(), batch: monitor.snapshot(runId)?.status, result, corrupted: dataset.corrupted.size, transport: open.label, stats: open.bus.stats(),
    };
    io.stdout.write(renderDemoReport(io, report));
  } finally {
    coordinator.close();
    monitor.close();
    await open.close();
  }
}

/** Waits until the monitor has seen the run end: at once in memory, after a round trip via Redis. */
async function settle(open: OpenBus, monitor: ValidationMonitoringService, runId: string): Promise<boolean> {
  await open.bus.drain();
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const status = monitor.snapshot(runId)?.status;
    if (status === 'passed' || status === 'failed') return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
