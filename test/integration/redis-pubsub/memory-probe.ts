/** The test side of `memory-consumer.ts`: spawns it with a small heap and asks it for reports over IPC. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the child is told, as JSON in `DOTBUS_MEMORY_CONSUMER`. */
export interface MemoryConsumerConfig {
  readonly url: string;
  readonly namespace: string;
  /** Transport options on top of the defaults (JSON only). */
  readonly options?: Record<string, unknown>;
}

/** One answer to `report`. */
export interface MemoryReport {
  readonly kind: 'report';
  readonly delivered: number;
  /** Whether every `it.*` event arrived with `n` one more than the one before (from 0). */
  readonly inOrder: boolean;
  /** The `n` the next event should have. */
  readonly next: number;
  readonly decodeErrors: number;
  /** Decode errors by reason, as `onDecodeError` saw them. */
  readonly reasons: Record<string, number>;
  readonly heartbeats: number;
  readonly trackedStreams: number;
  readonly evictedStreams: number;
  readonly lost: number;
  readonly dropped: number;
  /** `process.memoryUsage()`, after a full GC when asked for one. */
  readonly memory: NodeJS.MemoryUsage;
  /** Highest heap and RSS sampled (every 10 ms) since the child started. */
  readonly peak: { readonly heapUsed: number; readonly rss: number };
}

export type MemoryConsumerMessage = { readonly kind: 'ready' } | MemoryReport | { readonly kind: 'error'; readonly message: string };
export type MemoryParentMessage = { readonly kind: 'report'; readonly gc?: boolean } | { readonly kind: 'exit' };

/** A running `memory-consumer.ts`, its V8 heap capped at `maxOldSpaceMb`. */
export class MemoryConsumer {
  readonly #child: ChildProcess;
  readonly #messages: MemoryConsumerMessage[] = [];
  #stderr = '';
  #exit: string | undefined;

  constructor(config: MemoryConsumerConfig, maxOldSpaceMb = 256) {
    const file = fileURLToPath(new URL('./memory-consumer.ts', import.meta.url));
    this.#child = spawn(process.execPath, [`--max-old-space-size=${maxOldSpaceMb}`, '--expose-gc', '--import', 'tsx', file], {
      env: { ...process.env, DOTBUS_MEMORY_CONSUMER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.#child.stderr?.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    this.#child.on('message', (m: MemoryConsumerMessage) => this.#messages.push(m));
    this.#child.on('exit', (code, signal) => (this.#exit = `code ${code}, signal ${signal}`));
  }

  /** Why it exited, if it did. */
  get exited(): string | undefined {
    return this.#exit;
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    await this.#next((m) => m.kind === 'ready', timeoutMs, 'ready');
  }

  /** A fresh report; with `gc`, memory is measured after a full garbage collection. */
  async report(gc = false): Promise<MemoryReport> {
    const from = this.#messages.length;
    if (this.#exit === undefined) this.#child.send({ kind: 'report', gc } satisfies MemoryParentMessage);
    return (await this.#next((m) => m.kind === 'report', 10_000, 'report', from)) as MemoryReport;
  }

  /** Polls reports until `done` holds for one; fails with the last report if it never does. */
  async until(done: (r: MemoryReport) => boolean, timeoutMs: number, what: string): Promise<MemoryReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.report();
      if (done(r)) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last report: ${JSON.stringify({ ...r, reasons: r.reasons })}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    if (this.#exit !== undefined) return;
    const exited = new Promise<void>((r) => this.#child.once('exit', () => r()));
    this.#child.send({ kind: 'exit' } satisfies MemoryParentMessage);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async #next(accept: (m: MemoryConsumerMessage) => boolean, timeoutMs: number, what: string, from = 0): Promise<MemoryConsumerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.#messages.slice(from).find(accept);
      if (m !== undefined) return m;
      const error = this.#messages.find((x) => x.kind === 'error');
      if (error?.kind === 'error') throw new Error(`memory consumer failed: ${error.message}`);
      if (this.#exit !== undefined) throw new Error(`memory consumer died (${this.#exit}) waiting for ${what}: ${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${this.#stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
