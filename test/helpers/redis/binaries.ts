/**
 * Where the Redis executables the helpers run are found.
 *
 * Requirements: `redis-server` on `PATH` (and `redis-cli` for Redis Cluster
 * setup). `.ci/run` installs the Debian package `redis-server`, which provides
 * both. `REDIS_SERVER_BIN` / `REDIS_CLI_BIN` may point at other binaries.
 *
 * @module
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';

function findExecutable(name: string, envVar: string): string | undefined {
  const override = process.env[envVar];
  if (override) return override;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function requireExecutable(name: string, envVar: string): string {
  const bin = findExecutable(name, envVar);
  if (!bin) {
    throw new Error(`${name} not found: install the Debian package redis-server (bash .ci/run does this)`);
  }
  return bin;
}

/** The `redis-server` to run (`REDIS_SERVER_BIN`, else from `PATH`); throws if there is none. */
export function redisServerBinary(): string {
  return requireExecutable('redis-server', 'REDIS_SERVER_BIN');
}

/** The `redis-cli` to run (`REDIS_CLI_BIN`, else from `PATH`); throws if there is none. */
export function redisCliBinary(): string {
  return requireExecutable('redis-cli', 'REDIS_CLI_BIN');
}
