import { Option, type Command } from 'commander';
import { maskEvent, parsePattern, type AnyBusEvent } from '../../index.js';
import { describeError, quote, sensitivePathsOf } from '../../internal.js';
import { CliError, cliErrorOf, EXIT_USAGE, oneLine } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { printerOf, type EventFormat } from '../event-line.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, loadRedis } from '../redis-module.js';
import { addVerifyOptions, verificationFromFlags, type VerifyFlags } from '../security-options.js';
import { jsonLine, shortened } from '../terminal-text.js';

interface ReplayFlags extends EventsFlags, VerifyFlags {
  readonly redis?: string;
  readonly namespace: string;
  readonly from?: string;
  readonly to?: string;
  readonly format: EventFormat;
}

/** `dotbus replay PATTERN --redis URL`: prints the retained events of a Streams namespace in a range. */
export const replayCommand: CommandModule = {
  name: 'replay',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('replay')
      .description('print the events matching PATTERN retained in Redis Streams, oldest first (everything retained unless --from); types without a definition print as untyped')
      .argument('<pattern>', 'event pattern: literal segments, * (one or more segments), + (exactly one)')
      .requiredOption('--redis <url>', 'the Redis holding the streams, e.g. redis://127.0.0.1:6379')
      .option('--namespace <ns>', 'Streams namespace', 'dotbus')
      .option('--from <time>', 'first event: ISO time (2024-05-01T12:00:00Z), epoch ms, or a stream id (1714564800000-0)')
      .option('--to <time>', 'last event, same forms as --from')
      .addOption(new Option('--format <format>', 'pretty: one line per event; json: one wire message per line').choices(['pretty', 'json']).default('pretty'));
    addVerifyOptions(cmd);
    addEventsOption(cmd)
      .addHelpText('after', "\nExamples:\n  dotbus replay 'order.*' --redis redis://127.0.0.1:6379 --from 2024-05-01T00:00:00Z\n  dotbus replay '*' --redis redis://127.0.0.1:6379 --format json > audit.jsonl")
      .action((pattern: string, flags: ReplayFlags) => runReplay(pattern, flags, io));
  },
};

async function runReplay(pattern: string, flags: ReplayFlags, io: CliIO): Promise<void> {
  try {
    parsePattern(pattern);
  } catch (e) {
    throw new CliError(describeError(e), EXIT_USAGE);
  }
  const range = { ...timeFlag('--from', flags.from), ...timeFlag('--to', flags.to, 'to') };
  const events = await loadEvents(flags);
  const security = await verificationFromFlags(flags, io);
  const redis = await loadRedis('replay');
  const print = printerOf(io, flags.format);
  const label = redis.redactUrl(flags.redis ?? '');
  let count = 0;
  let missing: string | undefined;
  const undecoded = { count: 0, first: '' };
  try {
    for await (const r of redis.replayEvents({
      pattern,
      connection: { url: flags.redis, connectTimeoutMs: CONNECT_TIMEOUT_MS },
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      namespace: flags.namespace,
      events,
      untyped: true,
      ...(security === undefined ? {} : { security }),
      onMissingStream: (key) => (missing = key),
      onDecodeError: (entry, error) => {
        // Whatever was stored, cut short and escaped: the type field and the payload the error quotes.
        if (undecoded.count++ === 0) undecoded.first = `${shortened(entry.id, 40)}${entry.type === '' ? '' : ` ${shortened(entry.type, 80)}`}: ${shortened(oneLine(error), 200)}`;
      },
      ...range,
    })) {
      // json: the message as stored (every field, the producer's stamp too), on one line, escaped.
      io.stdout.write(`${flags.format === 'json' ? jsonLine(storedMessage(r.raw, r.event)) : print(r.event)}\n`);
      count++;
    }
  } catch (e) {
    // An option the library refuses (--namespace, the URL) came from a flag: exit 2, named by it.
    throw cliErrorOf(e, `replay from ${label} failed`);
  }
  // A namespace that was never written to is a typo far more often than an empty history.
  if (missing !== undefined) throw new CliError(`no stream ${missing} on this Redis (${label}); check --namespace (${JSON.stringify(flags.namespace)})`);
  if (undecoded.count > 0) {
    io.stderr.write(`${io.paintErr('yellow', 'dotbus: warning:')} skipped ${undecoded.count} matching entr${undecoded.count === 1 ? 'y' : 'ies'} that did not decode; first ${undecoded.first}\n`);
  }
  io.stderr.write(`dotbus: replayed ${count} event(s) matching ${JSON.stringify(pattern)} from namespace ${flags.namespace}\n`);
}

/** `--from`/`--to` as a Date or a stream id. */
function timeFlag(flag: string, value: string | undefined, key: 'from' | 'to' = 'from'): { from?: Date | string; to?: Date | string } {
  if (value === undefined) return {};
  if (/^\d+-\d+$/.test(value)) return { [key]: value };
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${flag}: ${quote(value)} is not a time; use ISO 8601, epoch ms or a stream id`, EXIT_USAGE);
  return { [key]: date };
}

/** The message as stored; with the event's sensitive fields masked (its data as decoded) when its definition marks any. */
function storedMessage(raw: string, event: AnyBusEvent): unknown {
  const stored = JSON.parse(raw) as Record<string, unknown>;
  return sensitivePathsOf(event).length === 0 ? stored : { ...stored, data: maskEvent(event).data };
}
