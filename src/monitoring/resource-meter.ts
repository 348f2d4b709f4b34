import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ResourceUsage } from '../index.js';

/** Resource counters at the start of a measurement, to subtract at its end. */
export interface ResourceMark {
  readonly cpu: NodeJS.CpuUsage;
  readonly heapUsed: number;
  readonly loopCount: number;
  readonly loopSumNs: number;
}

/** Options of {@link ResourceMeter}. */
export interface ResourceMeterOptions {
  /** Sample event-loop delay with `perf_hooks.monitorEventLoopDelay`. @default true */
  readonly eventLoopDelay?: boolean;
  /** Sampling period of the event-loop delay histogram, in ms. @default 10 */
  readonly resolutionMs?: number;
}

/**
 * Measures the CPU time, memory and event-loop delay a piece of work used, from real process
 * counters (`process.cpuUsage`, `process.memoryUsage`, `monitorEventLoopDelay`).
 *
 * @remarks The event-loop histogram is started lazily on the first {@link mark}, so a meter that is
 * never used costs nothing; {@link close} stops it. Work shorter than one sampling period gets no
 * `eventLoopDelayMs` (there is no sample to report, and inventing one would be wrong).
 */
export class ResourceMeter {
  readonly #wantLoop: boolean;
  readonly #resolutionMs: number;
  #histogram: IntervalHistogram | undefined;

  constructor(options: ResourceMeterOptions = {}) {
    this.#wantLoop = options.eventLoopDelay ?? true;
    this.#resolutionMs = options.resolutionMs ?? 10;
  }

  /** Counters now; pass the result to {@link usageSince}. */
  mark(): ResourceMark {
    const h = this.#loop();
    return {
      cpu: process.cpuUsage(),
      heapUsed: process.memoryUsage().heapUsed,
      loopCount: h === undefined ? 0 : h.count,
      // An empty histogram's mean is NaN, not 0.
      loopSumNs: h === undefined || h.count === 0 ? 0 : h.count * h.mean,
    };
  }

  /** What was used since `mark`. */
  usageSince(mark: ResourceMark): ResourceUsage {
    const cpu = process.cpuUsage(mark.cpu);
    const mem = process.memoryUsage();
    const usage = {
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapDeltaBytes: mem.heapUsed - mark.heapUsed,
    };
    const h = this.#histogram;
    if (h === undefined || h.count <= mark.loopCount) return usage;
    const meanNs = (h.count * h.mean - mark.loopSumNs) / (h.count - mark.loopCount);
    return Number.isFinite(meanNs) ? { ...usage, eventLoopDelayMs: Math.max(0, meanNs / 1e6) } : usage;
  }

  /** Usage of a point in time (no interval): zero CPU and heap delta, current memory. */
  current(): ResourceUsage {
    const mem = process.memoryUsage();
    return { cpuUserMs: 0, cpuSystemMs: 0, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapDeltaBytes: 0 };
  }

  /** Stops the event-loop histogram. The meter keeps working without event-loop delay. */
  close(): void {
    this.#histogram?.disable();
  }

  #loop(): IntervalHistogram | undefined {
    if (!this.#wantLoop) return undefined;
    if (this.#histogram === undefined) {
      this.#histogram = monitorEventLoopDelay({ resolution: this.#resolutionMs });
      this.#histogram.enable();
    }
    return this.#histogram;
  }
}
