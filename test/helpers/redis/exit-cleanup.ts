/**
 * Registry of the processes the helpers start: every one still running is
 * killed, and its directories removed, when the test process exits.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A process (once spawned) and the directories to remove with it. */
export interface Tracked {
  child: ChildProcess | undefined;
  dirs: string[];
}

const registry = new Set<Tracked>();
let exitHookInstalled = false;

function cleanupAllSync(): void {
  for (const entry of registry) {
    if (entry.child && entry.child.exitCode === null && entry.child.signalCode === null) {
      try {
        entry.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of entry.dirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  }
  registry.clear();
}

/** Clean up every tracked entry on exit and on SIGINT, SIGTERM and SIGHUP; idempotent. */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupAllSync();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Clean up `entry` on exit. */
export function track(entry: Tracked): void {
  registry.add(entry);
}

/** Stop tracking `entry` (it was cleaned up already). */
export function untrack(entry: Tracked): void {
  registry.delete(entry);
}
