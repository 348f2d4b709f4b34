/**
 * A Python 3 with the `redis` and `jsonschema` modules, for the example consumer in
 * `examples/python-consumer/`.
 *
 * Requirements: the Debian packages `python3-redis` and `python3-jsonschema` (which `.ci/run`
 * installs), or `PYTHON` naming an interpreter that has both modules. Under `CI=true` a missing
 * one is an error, never a skip.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';

/** Interpreters tried in order: `PYTHON`, the one on `PATH`, Debian's (where its packages install). */
const CANDIDATES = [process.env['PYTHON'], 'python3', '/usr/bin/python3'].filter((c): c is string => c !== undefined && c !== '');

let found: string | null | undefined;

/** The first interpreter that imports both modules, or `undefined`. */
export function pythonWithModules(): string | undefined {
  if (found === undefined) {
    found = CANDIDATES.find((bin) => spawnSync(bin, ['-c', 'import redis, jsonschema'], { stdio: 'ignore', timeout: 30_000 }).status === 0) ?? null;
  }
  return found ?? undefined;
}

/** Whether tests that need it run: always under CI (and fail there without it), else when one is installed. */
export function pythonRequired(): boolean {
  return process.env['CI'] === 'true' || pythonWithModules() !== undefined;
}

/** The interpreter, or an error saying how to install the modules. */
export function requirePython(): string {
  const bin = pythonWithModules();
  if (bin === undefined) {
    throw new Error(`no Python 3 with the modules redis and jsonschema (tried ${CANDIDATES.join(', ')}): install the Debian packages python3-redis and python3-jsonschema (bash .ci/run does this), or set PYTHON`);
  }
  return bin;
}
