import { clearLine, cursorTo } from 'node:readline';
import type { CliIO } from './io.js';

const WIDTH = 28;
const REDRAW_MS = 50;

/**
 * A one-line progress bar on stderr: `validating ███████░░░░  52%  520/1000 orders`.
 *
 * @remarks Draws only when stderr is a terminal, so piped or captured output stays clean; redraws
 * at most every 50 ms, so updating it on every record costs next to nothing.
 */
export class ProgressBar {
  readonly #io: CliIO;
  readonly #stream: NodeJS.WriteStream | undefined;
  readonly #label: string;
  readonly #unit: string;
  #lastDraw = 0;

  constructor(io: CliIO, label: string, unit: string) {
    this.#io = io;
    const err = io.stderr as Partial<NodeJS.WriteStream>;
    this.#stream = err.isTTY === true && typeof err.columns === 'number' ? (err as NodeJS.WriteStream) : undefined;
    this.#label = label;
    this.#unit = unit;
  }

  /** Shows `done` of `total`; cheap to call often. */
  update(done: number, total: number): void {
    if (this.#stream === undefined) return;
    const now = Date.now();
    if (done < total && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * WIDTH);
    const bar = this.#io.paintErr('cyan', '█'.repeat(filled)) + this.#io.paintErr('dim', '░'.repeat(WIDTH - filled));
    const pct = `${Math.floor(share * 100)}%`.padStart(4);
    cursorTo(this.#stream, 0);
    this.#stream.write(`${this.#label} ${bar} ${pct}  ${done}/${total} ${this.#unit}`);
    clearLine(this.#stream, 1);
  }

  /** Removes the bar, leaving the line empty for what follows. */
  finish(): void {
    if (this.#stream === undefined) return;
    cursorTo(this.#stream, 0);
    clearLine(this.#stream, 0);
  }
}
