import { describe, expect, it } from 'vitest';
import { generateOrders } from '../../../../src/cli/demo/dataset.js';
import { createOrderValidator } from '../../../../src/cli/demo/order-rules.js';
import { ValidationPipeline } from '../../../../src/cli/demo/validation-pipeline.js';
import { createBus, EventRecorder, type PerformanceEvent } from '../../../../src/index.js';
import { EventDrivenPerformanceCoordinator, ValidationMonitoringService } from '../../../../src/monitoring/index.js';

describe('order data set', () => {
  it('is deterministic per seed and breaks some orders on purpose, each caught by a rule', () => {
    const a = generateOrders({ count: 300, seed: 7 });
    expect(generateOrders({ count: 300, seed: 7 })).toEqual(a);
    expect(generateOrders({ count: 300, seed: 8 }).orders).not.toEqual(a.orders);
    expect(a.corrupted.size).toBeGreaterThan(0);
    const validator = createOrderValidator();
    for (const order of a.orders) {
      const hard = validator.validate(order).filter((e) => e.severity === 'error');
      expect(hard.length > 0, `${order.id} ${JSON.stringify(a.corrupted.get(order.id))}`).toBe(a.corrupted.has(order.id));
    }
  });
});

describe('ValidationPipeline', () => {
  it('publishes the validation lifecycle and the monitoring summary reflects the invalid records', async () => {
    const bus = createBus();
    using monitor = new ValidationMonitoringService({ subscriber: bus, topN: 100 });
    using perfEvents = new EventRecorder<PerformanceEvent>(bus, 'performance.*');
    const coordinator = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'run-1' });
    const data = generateOrders({ count: 400, seed: 3 });
    const pipeline = new ValidationPipeline({ publisher: bus, coordinator, validator: createOrderValidator(), subject: 'order', idOf: (o) => o.id });
    let progress = 0;
    const result = await pipeline.run('run-1', data.orders, (done) => (progress = done));
    await bus.drain();
    coordinator.close();

    expect(progress).toBe(400);
    expect(result).toMatchObject({ records: 400, failed: data.corrupted.size, passed: 400 - data.corrupted.size, unpublished: 0 });
    const s = monitor.summary();
    expect(s.finished.failed).toBe(data.corrupted.size + 1); // + the batch, which fails when a record does
    expect(s.finished.passed).toBe(400 - data.corrupted.size);
    expect(s.topErrors.filter((e) => e.severity === 'error').reduce((n, e) => n + e.count, 0)).toBe(result.errors);
    expect(s.slowestPhases.map((p) => p.phase).sort()).toEqual(['fields', 'items', 'totals', 'validate']);

    const badId = [...data.corrupted.keys()][0]!;
    const bad = monitor.snapshot(`run-1/${badId}`)!;
    expect(bad.status).toBe('failed');
    expect(bad.errorsByField.size).toBeGreaterThan(0);
    expect(bad.phases.map((p) => p.phase)).toEqual(['fields', 'items', 'totals']);
    expect(monitor.snapshot('run-1')).toMatchObject({ status: 'failed', recordCount: 400, subject: 'order-batch' });

    const ops = perfEvents.matching('performance.operation.complete');
    expect(ops).toHaveLength(400 * 3);
    expect(ops.every((e) => e.data.contextId.startsWith('run-1/'))).toBe(true);
    expect(perfEvents.matching('performance.phase.complete')[0]?.data).toMatchObject({ contextId: 'run-1', phase: 'validate', status: 'failed' });
    await bus.close();
  });
});
