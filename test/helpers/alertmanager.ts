/**
 * A throwaway Alertmanager for the sink tests, on a free loopback port, in its own temporary
 * directory, killed when the test ends (or the test process exits).
 *
 * Requirements: `alertmanager` or `prometheus-alertmanager` on `PATH` (the Debian package
 * `prometheus-alertmanager`, which `.ci/run` installs), or `ALERTMANAGER_BIN`. Under `CI=true` a
 * missing binary is an error, never a skip.
 *
 * @module
 */
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isAlive, spawnQuietly, waitForExit } from './redis/child-process.js';
import { installExitHook, track, untrack, type Tracked } from './redis/exit-cleanup.js';
import { getFreePorts } from './redis/free-port.js';
import { sleep } from './wait.js';

/** The Alertmanager binary to run, or `undefined` when there is none. */
export function alertmanagerBinary(): string | undefined {
  const override = process.env['ALERTMANAGER_BIN'];
  if (override) return override;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['alertmanager', 'prometheus-alertmanager']) {
      if (!dir) continue;
      try {
        accessSync(join(dir, name), fsConstants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Whether the Alertmanager tests run: always under CI (and fail there without it), else when it is installed. */
export function alertmanagerRequired(): boolean {
  return process.env['CI'] === 'true' || alertmanagerBinary() !== undefined;
}

/** A running Alertmanager. */
export interface Alertmanager {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  stop(): Promise<void>;
}

const CONFIG = 'route:\n  receiver: nobody\n  group_wait: 1h\nreceivers:\n  - name: nobody\n';

/** Starts an Alertmanager and waits until `/-/ready` answers. */
export async function startAlertmanager(): Promise<Alertmanager> {
  const bin = alertmanagerBinary();
  if (bin === undefined) throw new Error('alertmanager not found: install the Debian package prometheus-alertmanager (bash .ci/run does this), or set ALERTMANAGER_BIN');
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'dotbus-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
  const [port] = await getFreePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const spawned = spawnQuietly(
    bin,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    dir,
  );
  const tracked: Tracked = { child: spawned.child, dirs: [dir] };
  track(tracked);
  const stop = async (): Promise<void> => {
    spawned.child.kill('SIGTERM');
    if (!(await waitForExit(spawned.child, 5_000))) spawned.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    untrack(tracked);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawned.error !== undefined || !isAlive(spawned.child)) {
      await stop();
      throw new Error(`alertmanager did not start: ${spawned.error?.message ?? ''}\n${spawned.output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager on ${url} not ready within 30 s\n${spawned.output}`);
    }
    await sleep(50);
  }
}
