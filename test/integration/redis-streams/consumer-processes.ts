/**
 * {@link Crew}: the consumer processes of the crash and poison tests (test/fixtures/redis-streams/consumer.ts),
 * with what a failing wait needs to say: handled counts per member, who exited how, stderr tails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../../helpers/wait.js';

/** One consumer process. */
export interface Member {
  readonly child: ChildProcess;
  ready: boolean;
  /** Lines of handled events this member printed (progress only: a SIGKILL can drop queued lines). */
  lines: number;
  /** `'code 0'`, `'SIGKILL'`, … once it exited. */
  exit: string | undefined;
  /** We killed it on purpose (its exit is expected). */
  killed: boolean;
  /** Its transport's stats, printed on a clean exit. */
  stats: Record<string, unknown> | undefined;
  stderr: string;
}

/** The members of one test run and the events they printed. */
export class Crew {
  readonly members: Member[] = [];
  /** Times each `n` was printed (handler runs that finished, as far as the lines arrived). */
  readonly seen: Uint32Array;
  lines = 0;

  constructor(total: number, private readonly env: Record<string, string>) {
    this.seen = new Uint32Array(total);
  }

  /** Starts one more member. */
  spawn(extra: Record<string, string> = {}): Member {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/redis-streams/consumer.ts'], {
      env: { ...process.env, ...this.env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const m: Member = { child, ready: false, lines: 0, exit: undefined, killed: false, stats: undefined, stderr: '' };
    let rest = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) this.#line(m, line);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (m.stderr = (m.stderr + chunk).slice(-2_000)));
    child.on('exit', (code, signal) => void (m.exit = signal ?? `code ${code}`));
    this.members.push(m);
    return m;
  }

  /** Kills `m` with SIGKILL (an expected exit). */
  kill(m: Member): void {
    m.killed = true;
    m.child.kill('SIGKILL');
  }

  /** Distinct `n`s printed so far. */
  get distinct(): number {
    let d = 0;
    for (const c of this.seen) if (c > 0) d++;
    return d;
  }

  /** One line for a failure message: counts, each member's state, stderr of those that died. */
  progress(): string {
    const members = this.members.map((m) => `#${m.child.pid}: ${m.lines} lines, ${m.exit === undefined ? (m.ready ? 'running' : 'starting') : `exited ${m.exit}`}`);
    const errors = this.members.filter((m) => m.stderr !== '').map((m) => `#${m.child.pid} stderr: ${m.stderr.slice(-400)}`);
    return [`lines ${this.lines}, distinct ${this.distinct}`, ...members, ...errors].join('; ');
  }

  /** A member that exited though nobody killed it or asked it to stop: the run can't finish. */
  unexpectedExit(): Member | undefined {
    return this.members.find((m) => m.exit !== undefined && !m.killed);
  }

  /** Asks running members for their transport stats (SIGUSR2) and waits briefly for the answers. */
  async snapshot(): Promise<string> {
    const running = this.members.filter((m) => m.exit === undefined && m.ready);
    for (const m of running) {
      m.stats = undefined;
      m.child.kill('SIGUSR2');
    }
    const deadline = Date.now() + 1_000;
    while (running.some((m) => m.stats === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return running.map((m) => `#${m.child.pid} stats ${JSON.stringify(m.stats ?? 'no answer')}`).join('; ');
  }

  /** SIGTERMs every member still running and waits for them to exit. */
  async stop(timeoutMs = 20_000): Promise<void> {
    for (const m of this.members) {
      if (m.exit !== undefined) continue;
      m.killed = true;
      m.child.kill('SIGTERM');
    }
    await waitFor('members to exit', timeoutMs, () => this.members.every((m) => m.exit !== undefined), () => this.progress());
  }

  #line(m: Member, line: string): void {
    if (line === 'ready') m.ready = true;
    else if (line.startsWith('stats ')) m.stats = JSON.parse(line.slice(6)) as Record<string, unknown>;
    else {
      this.seen[Number(line)]!++;
      m.lines++;
      this.lines++;
    }
  }
}
