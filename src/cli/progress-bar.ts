import { clearLine, cursorTo } from 'node:readline';
import type { CliIO } from './io.js';

/** Bar cells on a wide terminal. */
const WIDTH = 28;
/** Fewest bar cells worth drawing; below that only the numbers are shown. */
const MIN_WIDTH = 5;
const REDRAW_MS = 50;

/** What the bar says after the percentage, e.g. `520/1000 orders`. */
export type ProgressText = (done: number, total: number) => string;

/**
 * A one-line progress bar on stderr: `validating ███████░░░░  52%  520/1000 orders`.
 *
 * @remarks Draws only when stderr is a terminal, so piped or captured output stays clean; redraws
 * at most every 50 ms, so updating it on every record costs next to nothing. The line is fitted to
 * the terminal's width at each draw (read again, so a resize is followed): a line longer than the
 * terminal would wrap, and going back to column 0 would then redraw below the wrapped part,
 * leaving a trail of half bars. The bar shrinks first, then the text after the percentage goes.
 */
export class ProgressBar {
  readonly #io: CliIO;
  readonly #stream: NodeJS.WriteStream | undefined;
  readonly #label: string;
  readonly #text: ProgressText;
  #lastDraw = 0;
  #drawn = false;

  /** `unit` names what is counted (`done/total unit`), or says it all as a function. */
  constructor(io: CliIO, label: string, unit: string | ProgressText) {
    this.#io = io;
    const err = io.stderr as Partial<NodeJS.WriteStream>;
    this.#stream = err.isTTY === true && typeof err.columns === 'number' ? (err as NodeJS.WriteStream) : undefined;
    this.#label = label;
    this.#text = typeof unit === 'string' ? (done, total) => `${done}/${total} ${unit}` : unit;
  }

  /** Shows `done` of `total`; cheap to call often. */
  update(done: number, total: number): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    const now = Date.now();
    if (done < total && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const share = total <= 0 ? 1 : Math.max(0, Math.min(1, done / total));
    const pct = `${Math.floor(share * 100)}%`.padStart(4);
    // One column short of the width: a character in the last column makes some terminals wrap.
    const room = (stream.columns > 0 ? stream.columns : 80) - 1;
    let text = `  ${this.#text(done, total)}`;
    let cells = Math.min(WIDTH, room - this.#label.length - 2 - pct.length - text.length);
    if (cells < MIN_WIDTH) {
      text = '';
      cells = Math.min(WIDTH, room - this.#label.length - 2 - pct.length);
    }
    let line: string;
    if (cells >= MIN_WIDTH) {
      const filled = Math.round(share * cells);
      line = `${this.#label} ${this.#paint('cyan', '█'.repeat(filled))}${this.#paint('dim', '░'.repeat(cells - filled))} ${pct}${text}`;
    } else {
      line = `${this.#label} ${pct}`.slice(0, Math.max(0, room));
    }
    cursorTo(stream, 0);
    stream.write(line);
    clearLine(stream, 1);
    this.#drawn = true;
  }

  /** Removes the bar, leaving the line empty for what follows; does nothing when no bar is shown. */
  finish(): void {
    if (this.#stream === undefined || !this.#drawn) return;
    this.#drawn = false;
    cursorTo(this.#stream, 0);
    clearLine(this.#stream, 0);
  }

  #paint(color: 'cyan' | 'dim', text: string): string {
    return text === '' ? '' : this.#io.paintErr(color, text);
  }
}
