import { Option, type Command } from 'commander';
import { parsePattern } from '../../index.js';
import { describeError } from '../../internal.js';
import { CliError, EXIT_USAGE, oneLine } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { printerOf, type EventFormat } from '../event-line.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { CONNECT_TIMEOUT_MS, loadRedis, redact } from '../redis-module.js';

interface ReplayFlags extends EventsFlags {
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
  const redis = await loadRedis('replay');
  const print = printerOf(io, flags.format);
  const label = redact(flags.redis ?? '');
  let count = 0;
  let missing: string | undefined;
  const undecoded = { count: 0, first: '' };
  try {
    for await (const r of redis.replayEvents({
      pattern,
      connection: { url: flags.redis, connectTimeoutMs: CONNECT_TIMEOUT_MS },
      namespace: flags.namespace,
      events,
      untyped: true,
      onMissingStream: (key) => (missing = key),
      onDecodeError: (entry, error) => {
        if (undecoded.count++ === 0) undecoded.first = `${entry.id}${entry.type === '' ? '' : ` ${entry.type}`}: ${oneLine(error)}`;
      },
      ...range,
    })) {
      // json: the message exactly as stored.
      io.stdout.write(`${flags.format === 'json' ? r.raw : print(r.event)}\n`);
      count++;
    }
  } catch (e) {
    throw new CliError(`replay from ${label} failed: ${describeError(e)}`);
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
  if (Number.isNaN(date.getTime())) throw new CliError(`${flag}: ${JSON.stringify(value)} is not a time; use ISO 8601, epoch ms or a stream id`, EXIT_USAGE);
  return { [key]: date };
}
