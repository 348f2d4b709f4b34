import { styleText } from 'node:util';

/** Styles the CLI uses; a subset of `util.styleText`'s formats. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'gray';

/** A writable text stream, as the CLI needs it. */
export interface TextOut {
  write(text: string): boolean;
  readonly isTTY?: boolean;
}

/**
 * The CLI's streams and colour decision, passed to every command so that tests and other hosts
 * can swap them.
 */
export interface CliIO {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  /** Colours `text` for stdout when colours are on; returns it unchanged otherwise. */
  paint(style: Style | readonly Style[], text: string): string;
  /** Same as {@link paint}, for stderr (which may be a terminal when stdout is piped). */
  paintErr(style: Style | readonly Style[], text: string): string;
}

/**
 * Whether to colour a stream: never with `NO_COLOR` (any value) or `TERM=dumb`; always with
 * `FORCE_COLOR` (not `0`); otherwise only on a terminal.
 */
export function colorsEnabled(stream: TextOut, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

/** The real process streams. */
export function processIO(): CliIO {
  return createIO(process.stdout, process.stderr, process.env);
}

/** An {@link CliIO} over any two streams. */
export function createIO(stdout: TextOut, stderr: TextOut, env: NodeJS.ProcessEnv = process.env): CliIO {
  const out = colorsEnabled(stdout, env);
  const err = colorsEnabled(stderr, env);
  // `styleText` itself doesn't look at the stream in Node 20, so the decision is made here.
  const paint = (on: boolean) => (style: Style | readonly Style[], text: string) =>
    on ? styleText(style as Parameters<typeof styleText>[0], text) : text;
  return { stdout, stderr, paint: paint(out), paintErr: paint(err) };
}
