import type { Command } from 'commander';
import { parseReplaySpeed, replayAudit } from '../../audit/index.js';
import { createBus, parsePattern } from '../../index.js';
import { describeError } from '../../internal.js';
import { CliError, cliErrorOf, EXIT_USAGE, oneLine } from '../cli-error.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { ProgressBar } from '../progress-bar.js';
import { CONNECT_TIMEOUT_MS, loadRedis } from '../redis-module.js';
import { addSigningOption, signingFromFlags, type SigningFlags } from '../security-options.js';
import { escapeControls, shortened } from '../terminal-text.js';
import { addDbOption, labelOf, openStore, timeFlag, type DbFlags } from './audit-store-flag.js';

interface ReplayFlags extends DbFlags, EventsFlags, SigningFlags {
  readonly redis?: string;
  readonly namespace: string;
  readonly durable?: boolean;
  readonly speed: string;
  readonly from?: string;
  readonly to?: string;
}

/** `dotbus audit replay`. */
export function registerReplay(audit: Command, io: CliIO): void {
  const cmd = audit
    .command('replay')
    .description('publish recorded events again, in order, into a namespace: instant, at the original pace or N times faster; each is marked as a replay (replayof). Events of types without a definition are sent as recorded; --events checks those it defines against their schemas')
    .argument('[pattern]', 'event pattern', '*')
    .option('--redis <url>', 'the Redis to publish to (required)')
    .option('--namespace <ns>', 'namespace to publish into', 'dotbus')
    .option('--durable', 'publish to the namespace\'s Redis stream instead of Pub/Sub')
    .option('--speed <speed>', 'instant, original, or a factor such as 10x', 'instant')
    .option('--from <time>', 'earliest event time: ISO 8601 or epoch ms')
    .option('--to <time>', 'latest event time (inclusive)');
  addSigningOption(cmd);
  addEventsOption(addDbOption(cmd)).action((pattern: string, flags: ReplayFlags) => runReplay(pattern, flags, io));
}

async function runReplay(pattern: string, flags: ReplayFlags, io: CliIO): Promise<void> {
  let speed;
  try {
    parsePattern(pattern);
    speed = parseReplaySpeed(flags.speed);
  } catch (e) {
    throw new CliError(describeError(e).replace(/^option `speed`/, '--speed'), EXIT_USAGE);
  }
  if (flags.redis === undefined) throw new CliError('audit replay needs --redis URL to publish to', EXIT_USAGE);
  const from = timeFlag('--from', flags.from);
  const to = timeFlag('--to', flags.to);
  const events = await loadEvents(flags);
  // Replays are new events (new ids, `replayof`): consumers that require signatures need them signed anew.
  const security = await signingFromFlags(flags, io);
  const redis = await loadRedis('audit replay');
  const label = redis.redactUrl(flags.redis);
  let transport;
  try {
    const options = { connection: { url: flags.redis, connectTimeoutMs: CONNECT_TIMEOUT_MS }, namespace: flags.namespace, readyTimeoutMs: CONNECT_TIMEOUT_MS, closeTimeoutMs: 10_000 };
    transport = flags.durable === true ? redis.redisStreams(options) : redis.redisPubSub(options);
  } catch (e) {
    throw cliErrorOf(e, '--redis');
  }
  const store = await openStore(flags, true);
  // Untyped: events of types without a definition here are replayed as recorded, not skipped.
  const bus = createBus({ events, transport, untyped: true, source: '/dotbus-audit-replay', onError: () => undefined, ...(security === undefined ? {} : { security }) });
  const bar = new ProgressBar(io, 'replaying', (done, total) => `${duration(done)} of ${duration(total)} recorded`);
  // Ctrl-C stops after the event in flight, with the summary of what was replayed.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const skipped = { n: 0, first: '' };
  try {
    await bus.ready().catch((e: unknown) => {
      throw new CliError(`cannot reach Redis at ${label}: ${describeError(e)}`);
    });
    const summary = await replayAudit({
      store,
      target: bus,
      speed,
      events,
      query: { ...(pattern === '*' ? {} : { pattern }), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
      onProgress: (done, total) => bar.update(done, total),
      signal: stop.signal,
      onSkip: (r, reason) => {
        if (skipped.n++ === 0) skipped.first = `#${r.position} ${r.type ?? ''}: ${oneLine(reason)}`;
      },
    });
    bar.finish();
    if (skipped.n > 0) io.stderr.write(`${io.paintErr('yellow', 'dotbus: warning:')} ${skipped.n} event(s) not replayed; first ${shortened(skipped.first, 300)}\n`);
    io.stderr.write(
      `${escapeControls(`dotbus: ${stop.signal.aborted ? 'stopped; ' : ''}replayed ${summary.replayed} event(s) from ${labelOf(flags.db)} into namespace ${flags.namespace} on ${label} at ${flags.speed}: recorded span ${(summary.spanMs / 1000).toFixed(3)} s, took ${(summary.elapsedMs / 1000).toFixed(3)} s`)}\n`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    bar.finish();
    await bus.close();
    await store.close();
  }
}

/** `ms` for the progress bar: `12.3 s`, `4 min 05 s`, `2 h 07 min`. */
function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
