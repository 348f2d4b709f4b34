import type { Command } from 'commander';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec, type AnyEventDefinition, type BusEvent, type ValidationIssue } from '../../index.js';
import { parseUntrustedJson, quote } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type ConnectionFlags } from '../connection-options.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { addSigningOption, signingFromFlags, type SigningFlags } from '../security-options.js';
import { escapeControls } from '../terminal-text.js';

interface PublishFlags extends ConnectionFlags, EventsFlags, SigningFlags {
  readonly data: string;
}

const EXAMPLE = `'{"contextId":"c-1","subject":"order","status":"started","errors":[]}'`;

/** `dotbus publish`: builds an event (built-in, or from `--events`) from JSON, validates it, and publishes or prints it. */
export const publishCommand: CommandModule = {
  name: 'publish',
  register(program: Command, io: CliIO): void {
    const cmd = program
      .command('publish')
      .description('build and validate an event from JSON; publish it with --redis, otherwise print its wire message')
      .argument('<type>', 'a built-in event type, e.g. validation.started, or one of the --events module\'s')
      .requiredOption('--data <json>', 'the event data as JSON');
    addEventsOption(cmd);
    addSigningOption(cmd);
    addConnectionOptions(cmd, 'print-without')
      .addHelpText(
        'after',
        `\nBuilt-in types:\n  ${BUILT_IN_EVENTS.flatMap((d) => d.types).join('\n  ')}\n\nExamples:\n  dotbus publish validation.started --data ${EXAMPLE}\n` +
          `  dotbus publish order.placed --events ./dist/events.js --data '{"orderId":"o-1","total":42}' --redis redis://127.0.0.1:6379`,
      )
      .action((type: string, flags: PublishFlags) => runPublish(type, flags, io));
  },
};

async function runPublish(type: string, flags: PublishFlags, io: CliIO): Promise<void> {
  const events = await loadEvents(flags);
  const registry = new EventRegistry([...BUILT_IN_EVENTS, ...events]);
  const event = buildEvent(registry, type, flags.data, flags.events);
  const security = await signingFromFlags(flags, io);
  // The wire message, escaped for the terminal: still the same JSON (see escapeControls). Signed
  // here without the producer stamp, which only the transport adds (and signs) when it sends.
  const wire = escapeControls(new JsonCodec(registry, { security }).encode(event));
  if (flags.redis === undefined && flags.durable !== true) {
    io.stdout.write(`${wire}\n`);
    io.stderr.write(io.paintErr('dim', 'dotbus: not sent (the in-memory bus ends with this process); add --redis URL to publish\n'));
    return;
  }
  const open = await openBus(flags, io, { events, security });
  try {
    await open.ready('reach Redis at');
    const receipt = await open.bus.transport.publish(event);
    if (receipt.status !== 'accepted') throw new CliError(`${type} not published (${receipt.status}): ${receipt.error?.message ?? 'Redis did not acknowledge it'}`);
    io.stdout.write(`${wire}\n`);
    io.stderr.write(`dotbus: published ${type} ${event.eventId} to ${open.label} (namespace ${flags.namespace ?? 'dotbus'})\n`);
  } finally {
    await open.close();
  }
}

/** The event of `type` built from `json`, or a {@link CliError} naming what is wrong. */
function buildEvent(registry: EventRegistry, type: string, json: string, module: string | undefined): BusEvent {
  const def: AnyEventDefinition | undefined = registry.get(type);
  if (def === undefined) {
    const known = module === undefined ? `load your own with --events MODULE; built-in types are` : `known types (built-in and from ${module}) are`;
    throw new CliError(`unknown event type ${quote(type)}; ${known} ${registry.types().join(', ')}`, EXIT_USAGE);
  }
  const parsed = parseUntrustedJson(json);
  if (!parsed.ok) throw new CliError(`--data is not valid JSON (${parsed.reason}): ${parsed.detail}`, EXIT_USAGE);
  const issues = def.issues(parsed.value);
  if (issues.length > 0) throw new CliError(`invalid data for ${type}: ${describeIssues(issues)}`);
  return def.createOf(type, parsed.value, { source: '/dotbus-cli' });
}

/** `field \`durationMs\`: Expected number; field \`resourceUsage\`: Required property`, one entry per field. */
function describeIssues(issues: readonly ValidationIssue[]): string {
  const byField = new Map<string, string>();
  for (const i of issues) {
    const field = i.path === '' ? '(root)' : i.path.slice(1).replaceAll('/', '.');
    if (!byField.has(field)) byField.set(field, i.message);
  }
  return [...byField].map(([field, message]) => `field \`${field}\`: ${message}`).join('; ');
}
