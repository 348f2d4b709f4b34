import { Option, type Command } from 'commander';
import { parsePattern } from '../../index.js';
import { describeError } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type ConnectionFlags } from '../connection-options.js';
import { printerOf, type EventFormat } from '../event-line.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { addVerifyOptions, verificationFromFlags, type VerifyFlags } from '../security-options.js';
import { escapeControls } from '../terminal-text.js';
import { untilStopped } from '../until-stopped.js';

interface TailFlags extends ConnectionFlags, EventsFlags, VerifyFlags {
  readonly format: EventFormat;
}

/** `dotbus tail`: prints the events matching a pattern as they arrive through Redis. */
export const tailCommand: CommandModule = {
  name: 'tail',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('tail')
      .description('print events matching PATTERN as they arrive (needs --redis); types without a definition print as untyped; Ctrl-C to stop')
      .argument('[pattern]', "event pattern: literal segments, * (one or more segments), + (exactly one)", '*')
      .addOption(new Option('--format <format>', 'pretty: one coloured line per event; json: the CloudEvents wire message').choices(['pretty', 'json']).default('pretty'));
    addEventsOption(cmd);
    addVerifyOptions(cmd);
    addConnectionOptions(cmd, 'required', true)
      .addHelpText(
        'after',
        "\nExamples:\n  dotbus tail 'validation.*' --redis redis://127.0.0.1:6379\n  dotbus tail '*.error.*' --redis redis://127.0.0.1:6379 --format json\n" +
          "  dotbus tail 'order.*' --events ./dist/events.js --redis redis://127.0.0.1:6379",
      )
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
  const events = await loadEvents(flags);
  const security = await verificationFromFlags(flags, io);
  const stopped = untilStopped();
  // Untyped: an event of a type without a definition is shown, not reported as a decode error.
  const open = await openBus(flags, io, { events, untyped: true, subscribes: true, security });
  const print = printerOf(io, flags.format);
  try {
    const subscription = open.bus.subscribeUntyped(pattern, (event) => {
      io.stdout.write(`${print(event)}\n`);
    });
    // Only the subscription matters to tail: it publishes nothing.
    await open.ready(`subscribe to ${JSON.stringify(pattern)} on Redis at`, subscription.ready);
    io.stderr.write(`${escapeControls(`dotbus: tailing ${JSON.stringify(pattern)} on ${open.label} (namespace ${flags.namespace ?? 'dotbus'}); Ctrl-C to stop`)}\n`);
    // Redis refusing something no retry fixes (a read the ACL user may not make) ends tailing.
    const broken = open.down.catch((e: unknown) => {
      throw new CliError(`stopped tailing ${open.label}: ${describeError(e)}`);
    });
    await Promise.race([stopped, broken]);
  } finally {
    await open.close();
  }
}
