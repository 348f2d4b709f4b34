import { describeError } from '../internal.js';
// Type-only: erased at run time, so hono is loaded only by `dotbus serve`.
import type * as ServeModule from '../serve/index.js';
import { CliError } from './cli-error.js';

/** `dotbus/serve`. */
export type LoadedServe = typeof ServeModule;

/** Loads `dotbus/serve` (and so hono) on demand. */
export async function loadServe(): Promise<LoadedServe> {
  try {
    return await import('../serve/index.js');
  } catch (e) {
    throw new CliError(`serve could not load the dashboard (dotbus/serve and its dependencies hono, @hono/node-server, uplot): ${describeError(e)}`);
  }
}
