/**
 * {@link ChildConsumer}: one consumer process of the crash-before-dispatch and memory tests
 * (test/fixtures/redis-streams/{upcast,memory}-consumer.ts), with what a failing wait needs to say.
 *
 * The fixtures print one line per fact: `ready`, `n <n>` per handled event, `rss <bytes>` (the
 * highest resident set size seen so far), `stats <json>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class ChildConsumer {
  readonly child: ChildProcess;
  ready = false;
  /** `'code 3'`, `'SIGKILL'`, … once it exited. */
  exit: string | undefined;
  /** Times each `n` was handled. */
  readonly handled = new Map<number, number>();
  /** Highest RSS the process reported, in bytes. */
  peakRss = 0;
  stats: Record<string, unknown> | undefined;
  stderr = '';

  /** Starts `node [nodeArgs] --import tsx <script>` with `env` added to this process's. */
  constructor(script: string, env: Record<string, string>, nodeArgs: readonly string[] = []) {
    this.child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let rest = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) this.#line(line);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (this.stderr = (this.stderr + chunk).slice(-4_000)));
    this.child.on('exit', (code, signal) => void (this.exit = signal ?? `code ${code}`));
  }

  /** One line for failure messages. */
  progress(): string {
    const state = this.exit === undefined ? (this.ready ? 'running' : 'starting') : `exited ${this.exit}`;
    return `#${this.child.pid} ${state}, handled ${this.handled.size}, peak RSS ${mb(this.peakRss)}${this.stderr === '' ? '' : `, stderr: ${this.stderr.slice(-600)}`}`;
  }

  /** SIGTERM, then waits (up to `timeoutMs`) for the exit; SIGKILL if it doesn't come. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exit !== undefined) return;
    this.child.kill('SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (this.exit === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }

  #line(line: string): void {
    if (line === 'ready') this.ready = true;
    else if (line.startsWith('n ')) {
      const n = Number(line.slice(2));
      this.handled.set(n, (this.handled.get(n) ?? 0) + 1);
    } else if (line.startsWith('rss ')) this.peakRss = Math.max(this.peakRss, Number(line.slice(4)));
    else if (line.startsWith('stats ')) this.stats = JSON.parse(line.slice(6)) as Record<string, unknown>;
  }
}

/** `bytes` in MB, for messages. */
export function mb(bytes: number): string {
  return `${Math.round(bytes / 1e5) / 10} MB`;
}
