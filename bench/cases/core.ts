/**
 * Cases without a transport: the disabled publisher, the codec, and the coordinator's NoOp path.
 */
import { createBus, EventRegistry, JsonCodec, type AnyBusEvent, type PublishReceipt } from 'dotbus';
import { EventDrivenPerformanceCoordinator } from 'dotbus/monitoring';
import { BenchOrder, buildOrders } from '../events.js';
import { compareThroughput, minRatio, timeSync, type BenchConfig, type CaseResult } from '../harness.js';

const POOL = 1024;

/** What the NoOp baseline calls: a method that returns a shared constant, like a NoOp should. */
const SKIPPED: Promise<PublishReceipt> = Promise.resolve({ status: 'skipped' });
class EmptyPublisher {
  publish(_event: AnyBusEvent): Promise<PublishReceipt> {
    return SKIPPED;
  }
}

/** `noop.publish`: `bus.publish(event)` on a disabled bus vs an empty method call, ≥ 0.5. */
export async function noopPublish(cfg: BenchConfig): Promise<CaseResult> {
  const events = buildOrders(POOL);
  const bus = createBus({ events: [BenchOrder], enabled: false });
  const empty = new EmptyPublisher();
  const shared = bus.publish(events[0]!); // a disabled bus answers every publish with one shared promise
  // Each loop checks what it got back, so the call can't be optimized away.
  const baseline = (n: number): number => {
    let same = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) if (empty.publish(events[i & (POOL - 1)]!) === SKIPPED) same++;
    });
    if (same !== n) throw new Error('baseline returned something else');
    return s;
  };
  const subject = (n: number): number => {
    let same = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) if (bus.publish(events[i & (POOL - 1)]!) === shared) same++;
    });
    if (same !== n) throw new Error('disabled bus did not return the shared skipped receipt');
    return s;
  };
  const c = await compareThroughput(cfg, baseline, subject, 100_000);
  return minRatio('noop.publish', 'calls/s', c, 'empty method', 0.5);
}

/** `codec.encode`: `JsonCodec.encode` (validated CloudEvents) vs `JSON.stringify` of the same envelope, ≥ 0.5. */
export async function codecEncode(cfg: BenchConfig): Promise<CaseResult> {
  const codec = new JsonCodec(new EventRegistry([BenchOrder]));
  const events = buildOrders(POOL);
  const wire = events.map((e) => codec.toWire(e));
  let bytes = 0;
  const baseline = (n: number): number =>
    timeSync(n, (count) => {
      for (let i = 0; i < count; i++) bytes += JSON.stringify(wire[i & (POOL - 1)]).length;
    });
  const subject = (n: number): number =>
    timeSync(n, (count) => {
      for (let i = 0; i < count; i++) bytes += codec.encode(events[i & (POOL - 1)]!).length;
    });
  const c = await compareThroughput(cfg, baseline, subject);
  return minRatio('codec.encode', 'events/s', c, 'JSON.stringify', 0.5, { messageBytes: codec.encode(events[0]!).length, checksum: bytes > 0 });
}

/** `codec.decode`: `JsonCodec.decode` (validated, frozen) vs `JSON.parse` of the same string, ≥ 0.4. */
export async function codecDecode(cfg: BenchConfig): Promise<CaseResult> {
  const codec = new JsonCodec(new EventRegistry([BenchOrder]));
  const strings = buildOrders(POOL).map((e) => codec.encode(e));
  let ok = 0;
  const baseline = (n: number): number => {
    ok = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) if ((JSON.parse(strings[i & (POOL - 1)]!) as { id?: unknown }).id !== undefined) ok++;
    });
    if (ok !== n) throw new Error('JSON.parse baseline lost messages');
    return s;
  };
  const subject = (n: number): number => {
    ok = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) if (codec.decode(strings[i & (POOL - 1)]!).ok) ok++;
    });
    if (ok !== n) throw new Error('decode failed on a valid message');
    return s;
  };
  const c = await compareThroughput(cfg, baseline, subject);
  return minRatio('codec.decode', 'events/s', c, 'JSON.parse', 0.4, { messageBytes: strings[0]!.length });
}

/** `coordinator.noop`: `measure()` with a disabled bus vs the bare call; ≤ 100 ns added per call. */
export async function coordinatorNoop(cfg: BenchConfig): Promise<CaseResult> {
  const bus = createBus({ enabled: false });
  const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'bench' });
  let acc = 0;
  const work = (): number => acc + 1;
  const baseline = (n: number): number => {
    acc = 0;
    return timeSync(n, (count) => {
      for (let i = 0; i < count; i++) acc = work();
    });
  };
  const subject = (n: number): number => {
    acc = 0;
    return timeSync(n, (count) => {
      for (let i = 0; i < count; i++) acc = perf.measure('bench-op', 'bench', work);
    });
  };
  const c = await compareThroughput(cfg, baseline, subject, 100_000);
  perf.close();
  const addedNs = Math.max(0, 1e9 / c.subject - 1e9 / c.baseline);
  return {
    name: 'coordinator.noop', unit: 'ns added/call', value: addedNs, baseline: 1e9 / c.baseline, baselineName: 'bare call, ns',
    ratio: addedNs, target: '≤ 100 ns', pass: addedNs <= 100,
    details: { measureCallsPerSec: Math.round(c.subject), bareCallsPerSec: Math.round(c.baseline) },
  };
}
