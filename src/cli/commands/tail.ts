import { Option, type Command } from 'commander';
import { JsonCodec, parsePattern, type AnyBusEvent } from '../../index.js';
import { describeError } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type ConnectionFlags } from '../connection-options.js';
import { formatEvent } from '../event-line.js';
import type { CliIO } from '../io.js';

interface TailFlags extends ConnectionFlags {
  readonly format: 'pretty' | 'json';
}

/** `dotbus tail`: prints the events matching a pattern as they arrive through Redis. */
export const tailCommand: CommandModule = {
  name: 'tail',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('tail')
      .description('print events matching PATTERN as they arrive (needs --redis); Ctrl-C to stop')
      .argument('[pattern]', "event pattern: literal segments, * (one or more segments), + (exactly one)", '*')
      .addOption(new Option('--format <format>', 'pretty: one coloured line per event; json: the CloudEvents wire message').choices(['pretty', 'json']).default('pretty'));
    addConnectionOptions(cmd, true)
      .addHelpText('after', "\nExamples:\n  dotbus tail 'validation.*' --redis redis://127.0.0.1:6379\n  dotbus tail '*.error.*' --redis redis://127.0.0.1:6379 --format json")
      .action((pattern: string, flags: TailFlags) => runTail(pattern, flags, io));
  },
};

async function runTail(pattern: string, flags: TailFlags, io: CliIO): Promise<void> {
  try {
    parsePattern(pattern);
  } catch (e) {
    throw new CliError(describeError(e), EXIT_USAGE);
  }
  if (flags.redis === undefined) {
    throw new CliError(
      'tail needs --redis URL: the default in-memory bus lives inside one process, so another process has nothing to show; ' +
        `try: dotbus tail '${pattern}' --redis redis://127.0.0.1:6379`,
      EXIT_USAGE,
    );
  }
  const stopped = untilStopped();
  const open = await openBus(flags, io);
  const codec = new JsonCodec(open.bus.registry);
  const print = flags.format === 'json' ? (e: AnyBusEvent) => codec.encode(e) : (e: AnyBusEvent) => formatEvent(io, e);
  const subscription = open.bus.transport.subscribe(pattern, (event) => {
    io.stdout.write(`${print(event)}\n`);
  });
  try {
    await open.bus.ready();
    io.stderr.write(`dotbus: tailing ${JSON.stringify(pattern)} on ${open.label} (namespace ${flags.namespace ?? 'dotbus'}); Ctrl-C to stop\n`);
    await stopped;
  } finally {
    subscription.unsubscribe();
    await open.close();
  }
}

/**
 * Resolves on Ctrl-C, SIGTERM, or when stdout is closed (`dotbus tail … | head`): all are a normal
 * end of tailing, so the command then exits 0.
 */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    process.stdout.once('error', done);
  });
}
