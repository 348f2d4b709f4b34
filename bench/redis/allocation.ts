/** Bytes a process allocates on the V8 heap during a run, from the heap statistics around every GC. */
import { GCProfiler, getHeapStatistics } from 'node:v8';

/** A running measurement; {@link AllocationMeter.stop} returns the bytes allocated since it began. */
export class AllocationMeter {
  readonly #profiler = new GCProfiler();
  readonly #usedAtStart: number;
  readonly #cpuAtStart = process.cpuUsage();

  constructor() {
    this.#usedAtStart = getHeapStatistics().used_heap_size;
    this.#profiler.start();
  }

  /** CPU time (user + system) used since the start, in µs. */
  cpuMicros(): number {
    const used = process.cpuUsage(this.#cpuAtStart);
    return used.user + used.system;
  }

  /** Heap growth since the start plus what each GC in between freed. */
  stop(): number {
    const report = this.#profiler.stop() as { statistics?: { beforeGC: HeapFigures; afterGC: HeapFigures }[] } | undefined;
    let freed = 0;
    for (const gc of report?.statistics ?? []) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    return getHeapStatistics().used_heap_size - this.#usedAtStart + freed;
  }
}

interface HeapFigures {
  readonly heapStatistics: { readonly usedHeapSize: number };
}
