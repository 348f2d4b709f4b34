import type { AnyEventDefinition } from '../index.js';
import { describeError } from '../internal.js';
import { AlertEngine, loadRuleFile, ValidationMonitoringService, type StreamGroupSource } from '../monitoring/index.js';
import type { DashboardPanel } from '../serve/index.js';
import { CliError, cliErrorOf, EXIT_USAGE } from './cli-error.js';
import { openStore } from './audit-log/audit-store-flag.js';
import type { ConnectionFlags, OpenBus } from './connection-options.js';
import { runDemoLoop } from './demo/demo-loop.js';
import type { CliIO } from './io.js';
import { CONNECT_TIMEOUT_MS, loadRedis } from './redis-module.js';
import type { LoadedServe } from './serve-module.js';
import { escapeControls } from './terminal-text.js';

/** The flags of `dotbus serve` that turn parts of the dashboard on. */
export interface ServeFeatureFlags extends ConnectionFlags {
  readonly rules?: string;
  /** An audit log (SQLite file or postgres:// URL) to query and verify. */
  readonly audit?: string;
}

/** What a feature gets to build itself. */
export interface FeatureContext {
  readonly flags: ServeFeatureFlags;
  readonly open: OpenBus;
  readonly io: CliIO;
  readonly serve: LoadedServe;
  /** The definitions of `--events`. */
  readonly events: readonly AnyEventDefinition[];
}

/** One part of the dashboard: its panels, and what stops it. */
export interface ServeFeature {
  readonly panels: readonly DashboardPanel[];
  /** Starts work that must wait until the server listens (the demo's publishing). @default none */
  start?(): void;
  close(): Promise<void> | void;
}

/**
 * Builds the feature the flags ask for, or none. A new flag (e.g. `--verify-keys`) adds one
 * builder to {@link FEATURES}.
 */
export type FeatureBuilder = (context: FeatureContext) => Promise<ServeFeature | undefined>;

/** Validation monitoring: always on. */
const validation: FeatureBuilder = async ({ open, serve }) => {
  const monitor = new ValidationMonitoringService({ subscriber: open.bus, maxContexts: 10_000 });
  return { panels: [serve.validationPanel(monitor)], close: () => monitor.close() };
};

/** `--rules FILE`: the alert rules, evaluated on the bus's events. */
const alerts: FeatureBuilder = async ({ flags, open, io, serve }) => {
  if (flags.rules === undefined) return undefined;
  const rules = flags.rules;
  let file;
  try {
    file = await loadRuleFile(rules);
  } catch (e) {
    throw new CliError(`${rules}: ${describeError(e)}`, EXIT_USAGE);
  }
  const board = new serve.AlertBoard();
  // No publisher: the dashboard watches, it never speaks on the namespace.
  const engine = new AlertEngine({
    source: open.bus,
    allowedLatenessMs: file.allowedLatenessMs ?? 1_000,
    onChange: board.onChange,
    onError: (e) => void io.stderr.write(`${escapeControls(`dotbus: warning: ${e.message}`)}\n`),
  });
  try {
    engine.addRules(file.rules);
  } catch (e) {
    await engine.close();
    throw cliErrorOf(e, rules);
  }
  return { panels: [board.panel()], close: () => engine.close() };
};

/** `--durable`: the stream's consumer groups, and its dead letters with their redrive. */
const streams: FeatureBuilder = async ({ flags, open, serve, events }) => {
  const transport = open.bus.transport as Partial<StreamGroupSource>;
  if (typeof transport.groupInfo !== 'function' || flags.redis === undefined) return undefined;
  const redis = await loadRedis('--durable');
  const deadLetters = new redis.DeadLetterQueue({
    connection: { url: flags.redis, connectTimeoutMs: CONNECT_TIMEOUT_MS },
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    events,
  });
  return {
    panels: [serve.streamsPanel(transport as StreamGroupSource), serve.deadLetterPanel(deadLetters)],
    close: () => deadLetters.close(),
  };
};

/** `--audit DB`: the audit log, queried by pattern and time, and its chain verified on demand. */
const audit: FeatureBuilder = async ({ flags, serve }) => {
  if (flags.audit === undefined) return undefined;
  // Only reads: a log that isn't there is a mistyped path, not a new empty log.
  const store = await openStore({ db: flags.audit }, true);
  return { panels: [serve.auditPanel(store)], close: () => store.close() };
};

/** Without `--redis`: the demo pipeline, again and again, so there is something to see. */
const demo: FeatureBuilder = async ({ flags, open }) => {
  if (flags.redis !== undefined) return undefined;
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  return {
    panels: [],
    start: () => void (running = runDemoLoop(open.bus, { signal: stop.signal })),
    async close() {
      stop.abort();
      await running;
    },
  };
};

/** Every feature, in panel order. */
export const FEATURES: readonly FeatureBuilder[] = [validation, alerts, streams, audit, demo];
