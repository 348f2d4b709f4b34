/**
 * `promtool check metrics`, the Prometheus project's own check of the exposition format.
 *
 * Requirements: `promtool` on `PATH` (the Debian package `prometheus`, which `.ci/run` installs),
 * or `PROMTOOL_BIN` pointing at one. Under `CI=true` a missing promtool is an error, never a skip.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The `promtool` to run, or `undefined` when there is none. */
export function promtoolBinary(): string | undefined {
  const override = process.env['PROMTOOL_BIN'];
  if (override) return override;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'promtool'), fsConstants.X_OK);
      return join(dir, 'promtool');
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether tests that need promtool run: always under CI (and fail there without it), else when it is installed. */
export function promtoolRequired(): boolean {
  return process.env['CI'] === 'true' || promtoolBinary() !== undefined;
}

/** Runs `promtool check metrics` on `exposition`; returns its exit code and everything it printed. */
export function checkMetrics(exposition: string): { readonly code: number | null; readonly output: string } {
  const bin = promtoolBinary();
  if (bin === undefined) throw new Error('promtool not found: install the Debian package prometheus (bash .ci/run does this), or set PROMTOOL_BIN');
  const r = spawnSync(bin, ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}
