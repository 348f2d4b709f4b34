/** The parent side of the Redis worker processes: spawn, command, await reports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Report, Role, Side } from './protocol.js';

/** One worker process. */
export class Worker {
  readonly #child: ChildProcess;
  readonly #waiting: { kind: Report['kind']; resolve: (r: Report) => void }[] = [];
  #failure: Error | undefined;
  #stderr = '';

  constructor(readonly role: Role, url: string, namespace: string) {
    const file = fileURLToPath(new URL('./worker.ts', import.meta.url));
    // BENCH_CPU_PROF=dir writes a V8 CPU profile of every worker there (`--cpu-prof` is not allowed in NODE_OPTIONS).
    const profile = process.env['BENCH_CPU_PROF'];
    const flags = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}/${role}`];
    this.#child = spawn(process.execPath, [...flags, '--import', 'tsx', file], {
      env: { ...process.env, BENCH_WORKER: JSON.stringify({ role, url, namespace }) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.#child.stderr?.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    this.#child.on('message', (m: Report) => {
      if (m.kind === 'error') return this.#fail(new Error(`${role}: ${m.message}`));
      const i = this.#waiting.findIndex((w) => w.kind === m.kind);
      if (i >= 0) this.#waiting.splice(i, 1)[0]!.resolve(m);
    });
    this.#child.on('exit', (code) => {
      if (code !== 0 && code !== null) this.#fail(new Error(`${role} exited with ${code}\n${this.#stderr}`));
    });
  }

  /** Waits for the next report of `kind`. */
  next<K extends Report['kind']>(kind: K, timeoutMs = 120_000): Promise<Extract<Report, { kind: K }>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.role}: no '${kind}' within ${timeoutMs} ms\n${this.#stderr}`)), timeoutMs);
      this.#waiting.push({
        kind,
        resolve: (r) => {
          clearTimeout(timer);
          if (r.kind === 'error') reject(new Error(r.message));
          else resolve(r as Extract<Report, { kind: K }>);
        },
      });
    });
  }

  send(command: Command): void {
    this.#child.send(command);
  }

  /** Asks the worker to exit; kills it if it doesn't within a second. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    try {
      this.send({ cmd: 'exit' });
    } catch {
      // Already disconnected.
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiting.splice(0)) w.resolve({ kind: 'error', message: error.message });
  }
}

/** A producer and a consumer on one namespace. */
export interface Pair {
  readonly producer: Worker;
  readonly consumer: Worker;
}

/** Starts a consumer, then a producer, and waits until both are connected. */
export async function startPair(side: Side, kind: 'pubsub' | 'streams', url: string, namespace: string): Promise<Pair> {
  // A batching producer's consumer is a plain dotbus one: batch mode is the producer's choice.
  const consumer = new Worker(`${side === 'batch' ? 'bus' : side}-${kind}-consumer`, url, namespace);
  await consumer.next('ready');
  const producer = new Worker(`${side}-${kind}-producer`, url, namespace);
  await producer.next('ready');
  return { producer, consumer };
}

/** What one {@link runPair} measured. */
export interface PairRun {
  readonly seconds: number;
  /** Publish→handler latency of each event, µs, in arrival order (latency runs only). */
  readonly latenciesUs: readonly number[];
  readonly dropped: number;
  /** RSS at the end of the run, in bytes. */
  readonly producerRss: number;
  readonly consumerRss: number;
  /** V8 heap bytes allocated per event during the run. */
  readonly producerBytesPerEvent: number;
  readonly consumerBytesPerEvent: number;
  /** CPU µs per event of each process during the run. */
  readonly producerCpuUs: number;
  readonly consumerCpuUs: number;
}

/**
 * One run: arm the consumer for `n` events, start the producer, wait for the consumer to count
 * them all. `build`: a dotbus producer creates each event as it publishes it (see `Command`).
 */
export async function runPair(pair: Pair, n: number, rate: number, latency: boolean, build = false): Promise<PairRun> {
  pair.consumer.send({ cmd: 'expect', n, latency });
  await pair.consumer.next('armed');
  const done = pair.consumer.next('done');
  const start = performance.now();
  pair.producer.send({ cmd: 'produce', n, rate, build });
  const p = await pair.producer.next('produced');
  const d = await done;
  return {
    seconds: (performance.now() - start) / 1000, latenciesUs: d.latenciesUs, dropped: d.dropped,
    producerRss: p.rssBytes, consumerRss: d.rssBytes, producerBytesPerEvent: p.allocatedBytes / n, consumerBytesPerEvent: d.allocatedBytes / n,
    producerCpuUs: p.cpuMicros / n, consumerCpuUs: d.cpuMicros / n,
  };
}
