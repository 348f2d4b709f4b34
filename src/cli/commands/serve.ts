import { Option, type Command } from 'commander';
import { describeError } from '../../internal.js';
import type { StreamGroupSource } from '../../monitoring/index.js';
import type { MetricsReply } from '../../serve/index.js';
import { CliError, cliErrorOf, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type OpenBus } from '../connection-options.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { integerIn } from '../options.js';
import { loadPrometheus } from '../prometheus-module.js';
import { FEATURES, type ServeFeature, type ServeFeatureFlags } from '../serve-features.js';
import { addVerifyOptions, verificationFromFlags, type VerifyFlags } from '../security-options.js';
import { loadServe, type LoadedServe } from '../serve-module.js';
import { escapeControls } from '../terminal-text.js';
import { untilStopped } from '../until-stopped.js';

interface ServeFlags extends ServeFeatureFlags, EventsFlags, VerifyFlags {
  readonly port: number;
  readonly host: string;
  readonly authToken?: string;
  readonly traceUrl?: string;
}

/** `dotbus serve`: the live dashboard in a browser. */
export const serveCommand: CommandModule = {
  name: 'serve',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('serve')
      .description('serve the live dashboard (tail, rates, durations, validation, alerts, streams) and /metrics; without --redis, of a demo running in-process; Ctrl-C to stop')
      .option('--port <n>', 'TCP port to serve on (0: any free port)', integerIn(0, 65_535), 8080)
      .option('--host <host>', 'interface to listen on; any host that is not loopback needs --auth-token', '127.0.0.1')
      .addOption(new Option('--auth-token <token>', 'token every request must carry (open the page as /?token=…); at least 16 characters').env('DOTBUS_TOKEN'))
      .option('--trace-url <template>', "link from an event's trace id to a tracing UI, e.g. 'http://localhost:16686/trace/{traceId}'")
      .option('--rules <file>', 'alert rules (YAML or JSON) to evaluate on the events; the alerts panel shows them')
      .option('--audit <path|url>', 'an audit log (SQLite file or postgres:// URL, see dotbus audit) to query by pattern and time, and verify');
    addEventsOption(cmd);
    addVerifyOptions(cmd);
    addConnectionOptions(cmd, 'optional', true)
      .addHelpText(
        'after',
        '\nWith --durable, the Redis Streams panel shows the consumer groups of the namespace\'s stream.\n\n' +
          "Examples:\n  dotbus serve\n  dotbus serve --redis redis://127.0.0.1:6379 --rules alerts.yaml --trace-url 'http://localhost:16686/trace/{traceId}'\n" +
          '  DOTBUS_TOKEN=$(openssl rand -hex 16) dotbus serve --host 0.0.0.0 --redis redis://127.0.0.1:6379',
      )
      .action((flags: ServeFlags) => runServe(flags, io));
  },
};

async function runServe(given: ServeFlags, io: CliIO): Promise<void> {
  // An empty DOTBUS_TOKEN is no token.
  const flags: ServeFlags = given.authToken === '' ? { ...given, authToken: undefined } : given;
  const serve = await loadServe();
  // Refused before anything connects: a dashboard open to the network without a token shows every event to anyone.
  if (flags.authToken === undefined && !serve.isLoopbackHost(flags.host)) {
    throw new CliError(`--host ${flags.host} is not a loopback address: give --auth-token (or DOTBUS_TOKEN) so that only people with it see the events, or listen on 127.0.0.1`, EXIT_USAGE);
  }
  const events = await loadEvents(flags);
  const security = await verificationFromFlags(flags, io);
  const stopped = untilStopped();
  const open = await openBus(flags, io, { events, untyped: true, subscribes: true, security });
  const features: ServeFeature[] = [];
  let dashboard: Awaited<ReturnType<LoadedServe['serveDashboard']>> | undefined;
  let metrics: { close(): void } | undefined;
  try {
    for (const build of FEATURES) {
      const feature = await build({ flags, open, io, serve, events });
      if (feature !== undefined) features.push(feature);
    }
    const exported = await metricsOf(open, io);
    metrics = exported;
    try {
      dashboard = await serve.serveDashboard({
        bus: open.bus,
        host: flags.host,
        port: flags.port,
        ...(flags.authToken === undefined ? {} : { authToken: flags.authToken }),
        ...(flags.traceUrl === undefined ? {} : { traceUrl: flags.traceUrl }),
        panels: features.flatMap((f) => f.panels),
        ...(exported === undefined ? {} : { metrics: exported.read }),
        title: `${open.label}${flags.redis === undefined ? ' (demo)' : ` namespace ${flags.namespace ?? 'dotbus'}`}`,
      });
    } catch (e) {
      throw cliErrorOf(e, `cannot serve the dashboard on ${flags.host}:${flags.port}`);
    }
    await open.ready('subscribe to the events on Redis at');
    for (const f of features) f.start?.();
    // The token itself is never printed: terminals end up in logs.
    const openAs = flags.authToken === undefined ? '' : ' (open it once as that URL + ?token=<your token>)';
    io.stderr.write(`${escapeControls(`dotbus: dashboard of ${open.label} at ${dashboard.url}${openAs}; Ctrl-C to stop`)}\n`);
    const broken = open.down.catch((e: unknown) => {
      throw new CliError(`stopped serving the dashboard of ${open.label}: ${describeError(e)}`);
    });
    await Promise.race([stopped, broken]);
  } finally {
    await dashboard?.close();
    for (const f of features.reverse()) await f.close();
    metrics?.close();
    await open.close();
  }
}

/** `/metrics` through dotbus/prometheus, when prom-client is installed (a warning otherwise). */
async function metricsOf(open: OpenBus, io: CliIO): Promise<{ read(): Promise<MetricsReply>; close(): void } | undefined> {
  let prometheus;
  try {
    prometheus = await loadPrometheus('serve');
  } catch (e) {
    io.stderr.write(`dotbus: warning: no /metrics: ${describeError(e)}\n`);
    return undefined;
  }
  const transport = open.bus.transport as Partial<StreamGroupSource>;
  const streams = typeof transport.groupInfo === 'function' ? (transport as StreamGroupSource) : undefined;
  return prometheus.metricsText((registry) => {
    const stops = [
      prometheus.registerPerformanceMetrics(open.bus, { registry }),
      prometheus.registerBusMetrics(open.bus, { registry, bus: 'dashboard' }),
      ...(streams === undefined ? [] : [prometheus.registerStreamMetrics(streams, { registry })]),
    ];
    return () => stops.forEach((stop) => stop());
  });
}
