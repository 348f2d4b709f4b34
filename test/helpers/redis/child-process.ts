/**
 * Small helpers for the server child processes: spawn one with its early
 * output captured, tell whether it still runs, wait for it to exit.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/** A spawned process and what it reported while starting. */
export interface Spawned {
  readonly child: ChildProcess;
  /** The start of its stdout and stderr. */
  output: string;
  /** Set if the process could not be spawned. */
  error: Error | undefined;
}

/** Spawn `binary` in `cwd`, collecting the first 16 KiB of its output; it does not keep the test process alive. */
export function spawnQuietly(binary: string, args: readonly string[], cwd: string): Spawned {
  const child = spawn(binary, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned: Spawned = { child, output: '', error: undefined };
  const collect = (chunk: Buffer): void => {
    if (spawned.output.length < 16_384) spawned.output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('error', (err) => {
    spawned.error = err;
  });
  // Don't keep the test process alive just because a server is running.
  child.unref();
  (child.stdout as Socket | null)?.unref?.();
  (child.stderr as Socket | null)?.unref?.();
  return spawned;
}

/** Whether `child` has neither exited nor been ended by a signal. */
export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves true once `child` has exited, false if it still runs after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}
