import { describe, expect, it } from 'vitest';
import { createBus, InMemoryTransport, Type, defineEvent } from '../../src/index.js';
import { NoopTransport } from '../../src/internal.js';
import { describePromises } from '../conformance/promises.js';

// NoOp delivers nothing, but checks every call exactly like the transports that do.
describePromises('NoOp', { delivers: false, options: { queue: 'honoured', waitPolicy: 'honoured', maxInFlight: 'honoured' } }, async () => new NoopTransport());

const Ping = defineEvent({ type: 'ping', version: '1.0.0', schema: Type.Object({ n: Type.Number() }) });

describe('NoOp', () => {
  it('skips publishing, never calls handlers, never fails', async () => {
    const bus = createBus({ events: [Ping], transport: new NoopTransport() });
    let called = 0;
    bus.subscribe('*', () => void called++);
    expect(bus.enabled).toBe(false);
    expect(await bus.emit('ping', { n: 1 })).toEqual({ status: 'skipped' });
    expect(await bus.publish(Ping.create({ n: 2 }))).toEqual({ status: 'skipped' });
    let built = 0;
    await bus.emitWith('ping', () => ({ n: ++built }));
    await bus.drain();
    await bus.close();
    expect([called, built]).toEqual([0, 0]);
    expect(bus.stats().publisher.skipped).toBe(3);
    expect(bus.stats().published).toBe(0);
  });

  it('enabled: false swaps any transport for NoOp', async () => {
    const bus = createBus({ events: [Ping], transport: new InMemoryTransport(), enabled: false });
    expect(bus.transport.name).toBe('noop');
    expect((await bus.emit('ping', { n: 1 })).status).toBe('skipped');
  });
});
