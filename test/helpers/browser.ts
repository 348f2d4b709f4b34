/**
 * Headless Chromium, driven by playwright-core, and `dotbus serve` as the user runs it (the built
 * bin, as a child process) for the browser tests.
 *
 * Requirements: `chromium` on `PATH` (the Debian package `chromium`, which `.ci/run` installs), or
 * `CHROMIUM_BIN` pointing at one. Under `CI=true` a missing Chromium is an error, never a skip.
 *
 * @module
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { watchCli, type WatchedCli } from '../cli/run-cli.js';
import { waitFor } from './wait.js';

/** The Chromium to drive, or `undefined` when there is none. */
export function chromiumBinary(): string | undefined {
  const override = process.env['CHROMIUM_BIN'];
  if (override) return override;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'chromium'), fsConstants.X_OK);
      return join(dir, 'chromium');
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether the browser tests run: always under CI (and fail there without Chromium), else when it is installed. */
export function chromiumRequired(): boolean {
  return process.env['CI'] === 'true' || chromiumBinary() !== undefined;
}

/**
 * Flags that keep Chromium off the network: without the background-networking ones it tries to
 * reach Google's update, sync and component servers.
 */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches headless Chromium. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumBinary();
  if (executablePath === undefined) throw new Error('chromium not found: install the Debian package chromium (bash .ci/run does this), or set CHROMIUM_BIN');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** A running `dotbus serve`. */
export interface ServedDashboard {
  readonly cli: WatchedCli;
  /** The page's URL, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** Stops it (SIGTERM) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** `dotbus serve --port 0 …`, once it prints where it serves. */
export async function startDashboard(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServedDashboard> {
  const cli = watchCli(['serve', '--port', '0', ...args], env);
  let url: string | undefined;
  await waitFor('dotbus serve to listen', 20_000, () => (url = / at (http:\/\/\S+?\/)[ ;]/.exec(cli.stderr())?.[1]) !== undefined, () => cli.stderr(), () => {
    const code = cli.child.exitCode;
    return code === null ? undefined : `it exited ${code}`;
  });
  return {
    cli,
    url: url!,
    stop: () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGTERM');
      return cli.exited;
    },
  };
}

/** A page that records console errors, page errors and failed requests, for "no errors" checks. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => void (r.url().includes('/api/live') || problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`)));
  return { page, problems };
}
