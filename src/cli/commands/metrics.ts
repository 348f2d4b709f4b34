import type { Command } from 'commander';
import { describeError } from '../../internal.js';
import type { StreamGroupSource } from '../../monitoring/index.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type ConnectionFlags, type OpenBus } from '../connection-options.js';
import type { CliIO } from '../io.js';
import { integerIn } from '../options.js';
import { loadPrometheus, type LoadedPrometheus } from '../prometheus-module.js';
import { addVerifyOptions, verificationFromFlags, type VerifyFlags } from '../security-options.js';
import { escapeControls } from '../terminal-text.js';
import { untilStopped } from '../until-stopped.js';

interface MetricsFlags extends ConnectionFlags, VerifyFlags {
  readonly port: number;
  readonly host: string;
}

/** `dotbus metrics`: a standalone Prometheus exporter of a namespace's performance and validation events. */
export const metricsCommand: CommandModule = {
  name: 'metrics',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('metrics')
      .description("serve the namespace's performance and validation events as Prometheus metrics at /metrics (needs --redis); Ctrl-C to stop")
      .option('--port <n>', 'TCP port to serve on (0: any free port)', integerIn(0, 65_535), 9464)
      .option('--host <host>', 'interface to listen on (0.0.0.0: every one)', '127.0.0.1');
    addVerifyOptions(cmd);
    addConnectionOptions(cmd, 'required')
      .addHelpText(
        'after',
        '\nWith --durable it also reads the consumer groups of the namespace\'s stream at each scrape (lag, pending entries).\n\n' +
          'Examples:\n  dotbus metrics --redis redis://127.0.0.1:6379\n  curl -s http://127.0.0.1:9464/metrics | promtool check metrics',
      )
      .action((flags: MetricsFlags) => runMetrics(flags, io));
  },
};

async function runMetrics(flags: MetricsFlags, io: CliIO): Promise<void> {
  if (flags.redis === undefined) {
    throw new CliError(
      'metrics needs --redis URL: the default in-memory bus lives inside one process, so there is nothing to measure from another; ' +
        'try: dotbus metrics --redis redis://127.0.0.1:6379',
      EXIT_USAGE,
    );
  }
  const security = await verificationFromFlags(flags, io);
  const prometheus = await loadPrometheus('metrics');
  const stopped = untilStopped();
  const open = await openBus(flags, io, { subscribes: true, security });
  let server: Awaited<ReturnType<LoadedPrometheus['serveMetrics']>> | undefined;
  try {
    const streams = streamGroupsOf(open);
    server = await serve(prometheus, open, streams, flags);
    // The metrics' subscriptions are made: once Redis confirms them, no event goes unmeasured.
    await open.ready('subscribe to performance and validation events on Redis at');
    const what = streams === undefined ? '' : ' and its stream\'s consumer groups';
    io.stderr.write(`${escapeControls(`dotbus: serving metrics of namespace ${flags.namespace ?? 'dotbus'}${what} from ${open.label} at ${server.url}; Ctrl-C to stop`)}\n`);
    const broken = open.down.catch((e: unknown) => {
      throw new CliError(`stopped serving metrics of ${open.label}: ${describeError(e)}`);
    });
    await Promise.race([stopped, broken]);
  } finally {
    await server?.close();
    await open.close();
  }
}

/** The Streams transport's consumer groups, with `--durable`. */
function streamGroupsOf(open: OpenBus): StreamGroupSource | undefined {
  const transport = open.bus.transport as Partial<StreamGroupSource>;
  return typeof transport.groupInfo === 'function' ? (transport as StreamGroupSource) : undefined;
}

async function serve(prometheus: LoadedPrometheus, open: OpenBus, streams: StreamGroupSource | undefined, flags: MetricsFlags) {
  try {
    return await prometheus.serveMetrics(
      (registry) => {
        const stops = [
          prometheus.registerPerformanceMetrics(open.bus, { registry }),
          // The exporter's own bus: events lost on their way to it (Pub/Sub gaps) are measurements missed.
          prometheus.registerBusMetrics(open.bus, { registry, bus: 'exporter' }),
          ...(streams === undefined ? [] : [prometheus.registerStreamMetrics(streams, { registry })]),
        ];
        return () => stops.forEach((stop) => stop());
      },
      { port: flags.port, host: flags.host },
    );
  } catch (e) {
    throw new CliError(describeError(e));
  }
}
