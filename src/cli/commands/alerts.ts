import type { Command } from 'commander';
import { describeError } from '../../internal.js';
import { AlertEngine, alertmanagerSink, loadRuleFile, webhookSink, type AlertSink, type RuleFile } from '../../monitoring/index.js';
import { alertLine } from '../alert-line.js';
import { CliError, cliErrorOf, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addConnectionOptions, openBus, type ConnectionFlags } from '../connection-options.js';
import { readEventFile } from '../event-file.js';
import type { CliIO } from '../io.js';
import { addVerifyOptions, verificationFromFlags, type VerifyFlags } from '../security-options.js';
import { escapeControls } from '../terminal-text.js';
import { untilStopped } from '../until-stopped.js';

interface TestFlags {
  readonly rules: string;
  readonly events: string;
  readonly until?: string;
}

interface RunFlags extends ConnectionFlags, VerifyFlags {
  readonly rules: string;
  readonly alertmanager?: string;
  readonly webhook?: string;
}

/** `dotbus alerts test` and `dotbus alerts run`: alert rules from a YAML or JSON file. */
export const alertsCommand: CommandModule = {
  name: 'alerts',
  register(program: Command, io: CliIO): void {
    const alerts = program.command('alerts').description('alert rules from a YAML or JSON file: test them on recorded events, or run them on a live namespace');
    alerts
      .command('test')
      .description('print every alert state change the rules give on recorded events (CloudEvents JSON, one per line), one JSON object per line')
      .requiredOption('--rules <file>', 'the rule file, YAML or JSON')
      .requiredOption('--events <file>', 'the events, one CloudEvents JSON per line (what `dotbus tail --format json` prints)')
      .option('--until <time>', 'after the last event, move time on to this ISO 8601 time (so an absence at the end can fire)')
      .addHelpText('after', '\nExit status: 0, or 2 with one line for an invalid rule file or input line.\n\nExample:\n  dotbus alerts test --rules alerts.yaml --events recorded.jsonl --until 2024-05-01T13:00:00Z')
      .action((flags: TestFlags) => runTest(flags, io));
    const run = alerts
      .command('run')
      .description("evaluate the rules on the live events of a namespace; alerts go to the bus (alert.*), stdout and the sinks given; Ctrl-C to stop")
      .requiredOption('--rules <file>', 'the rule file, YAML or JSON')
      .option('--alertmanager <url>', "an Alertmanager to post firing and resolved alerts to, e.g. http://127.0.0.1:9093")
      .option('--webhook <url>', 'a URL to POST every firing and resolved alert to, as JSON');
    addVerifyOptions(run);
    addConnectionOptions(run, 'required')
      .addHelpText('after', '\nExample:\n  dotbus alerts run --rules alerts.yaml --redis redis://127.0.0.1:6379 --alertmanager http://127.0.0.1:9093')
      .action((flags: RunFlags) => runLive(flags, io));
  },
};

async function rulesOf(path: string): Promise<RuleFile> {
  try {
    return await loadRuleFile(path);
  } catch (e) {
    throw new CliError(`${path}: ${describeError(e)}`, EXIT_USAGE);
  }
}

async function runTest(flags: TestFlags, io: CliIO): Promise<void> {
  const file = await rulesOf(flags.rules);
  let until: number | undefined;
  if (flags.until !== undefined) {
    until = Date.parse(flags.until);
    if (Number.isNaN(until)) throw new CliError(`--until: ${JSON.stringify(flags.until)} is not a time; write ISO 8601, e.g. 2024-05-01T13:00:00Z`, EXIT_USAGE);
  }
  const events = await readEventFile(flags.events);
  const engine = new AlertEngine({
    clock: 'events',
    allowedLatenessMs: file.allowedLatenessMs ?? 1_000,
    onChange: (change) => void io.stdout.write(`${alertLine(change)}\n`),
    onError: (e) => void io.stderr.write(`${escapeControls(`dotbus: warning: ${e.message}`)}\n`),
  });
  engine.addRules(file.rules);
  for (const event of events) engine.push(event);
  engine.flush();
  if (until !== undefined) engine.advanceTo(until);
  const { late } = engine.stats();
  if (late > 0) io.stderr.write(`dotbus: warning: ${late} event(s) more than the allowed lateness behind were not used\n`);
  await engine.close();
}

async function runLive(flags: RunFlags, io: CliIO): Promise<void> {
  if (flags.redis === undefined) {
    throw new CliError('alerts run needs --redis URL (the namespace whose events to evaluate); to try rules on recorded events, use dotbus alerts test', EXIT_USAGE);
  }
  const security = await verificationFromFlags(flags, io);
  const file = await rulesOf(flags.rules);
  const sinks: AlertSink[] = [];
  const onError = (e: { message: string }) => void io.stderr.write(`${escapeControls(`dotbus: warning: ${e.message}`)}\n`);
  try {
    if (flags.alertmanager !== undefined) sinks.push(alertmanagerSink(flags.alertmanager, { onError }));
    if (flags.webhook !== undefined) sinks.push(webhookSink(flags.webhook, { onError }));
  } catch (e) {
    throw new CliError(`${flags.alertmanager !== undefined && sinks.length === 0 ? '--alertmanager' : '--webhook'}: ${describeError(e).replace(/^option `url`: /, '')}`, EXIT_USAGE);
  }
  const stopped = untilStopped();
  const open = await openBus(flags, io, { untyped: true, subscribes: true, security });
  try {
    const engine = new AlertEngine({
      source: open.bus,
      publisher: open.bus,
      allowedLatenessMs: file.allowedLatenessMs ?? 1_000,
      sinks,
      onChange: (change) => void io.stdout.write(`${alertLine(change)}\n`),
      onError,
    });
    try {
      engine.addRules(file.rules);
    } catch (e) {
      throw cliErrorOf(e, flags.rules);
    }
    await open.ready('subscribe to the rules\' events on Redis at');
    io.stderr.write(`${escapeControls(`dotbus: evaluating ${file.rules.length} rule(s) of ${flags.rules} on namespace ${flags.namespace ?? 'dotbus'} at ${open.label}; Ctrl-C to stop`)}\n`);
    const broken = open.down.catch((e: unknown) => {
      throw new CliError(`stopped evaluating alerts on ${open.label}: ${describeError(e)}`);
    });
    try {
      await Promise.race([stopped, broken]);
    } finally {
      await engine.close();
    }
  } finally {
    await open.close();
  }
}
