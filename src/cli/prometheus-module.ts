import { describeError } from '../internal.js';
// Type-only: erased at run time, so prom-client is loaded only by the command that needs it.
import type * as PrometheusModule from '../prometheus/index.js';
import { CliError } from './cli-error.js';

/** `dotbus/prometheus`. */
export type LoadedPrometheus = typeof PrometheusModule;

/** Loads `dotbus/prometheus` (and so prom-client) on demand; `what` names the command for the error. */
export async function loadPrometheus(what: string): Promise<LoadedPrometheus> {
  try {
    return await import('../prometheus/index.js');
  } catch (e) {
    throw new CliError(`${what} needs the optional dependency prom-client (npm install prom-client): ${describeError(e)}`);
  }
}
