import type { Command } from 'commander';
import { AuditRecorder } from '../../audit/index.js';
import { createBus, parsePattern, type Transport } from '../../index.js';
import { describeError } from '../../internal.js';
import { CliError, cliErrorOf, EXIT_USAGE } from '../cli-error.js';
import type { CliIO } from '../io.js';
import { CONNECT_TIMEOUT_MS, loadRedis, type LoadedRedis } from '../redis-module.js';
import { addVerifyOptions, verificationFromFlags, type VerifyFlags } from '../security-options.js';
import { escapeControls, shortened } from '../terminal-text.js';
import { untilStopped } from '../until-stopped.js';
import { addDbOption, labelOf, openStore, type DbFlags } from './audit-store-flag.js';

interface RecordFlags extends DbFlags, VerifyFlags {
  readonly redis?: string;
  readonly namespace: string;
  readonly durable?: boolean;
  readonly group: string;
  readonly includeReplays?: boolean;
}

/** The consumer group a durable recorder reads in (shared by restarts, so nothing is read twice). */
const DEFAULT_GROUP = 'dotbus-audit';

/** `dotbus audit record`. */
export function registerRecord(audit: Command, io: CliIO): void {
  const cmd = audit
    .command('record')
    .description('record every event matching PATTERN from Redis into the audit log until Ctrl-C; with --durable through a consumer group that acknowledges only committed events')
    .argument('[pattern]', 'event pattern', '*')
    .option('--redis <url>', 'the Redis to record from, e.g. redis://127.0.0.1:6379 (required)')
    .option('--namespace <ns>', 'namespace to record', 'dotbus')
    .option('--durable', 'read the namespace\'s Redis stream in a consumer group: a recorder killed at any moment loses and duplicates nothing')
    .option('--group <name>', 'with --durable: the consumer group', DEFAULT_GROUP)
    .option('--include-replays', 'also record replayed events (marked replayof), which are skipped by default');
  addVerifyOptions(cmd);
  addDbOption(cmd).action((pattern: string, flags: RecordFlags) => runRecord(pattern, flags, io));
}

async function runRecord(pattern: string, flags: RecordFlags, io: CliIO): Promise<void> {
  try {
    parsePattern(pattern);
  } catch (e) {
    throw new CliError(describeError(e), EXIT_USAGE);
  }
  if (flags.redis === undefined) throw new CliError(`audit record needs --redis URL, e.g. dotbus audit record '${pattern}' --redis redis://127.0.0.1:6379`, EXIT_USAGE);
  const security = await verificationFromFlags(flags, io);
  const redis = await loadRedis('audit record');
  const stopped = untilStopped();
  const store = await openStore(flags);
  const warned = new Set<string>();
  const warn = (e: unknown): void => {
    const text = describeError(e);
    const key = text.slice(0, 40);
    if (warned.has(key)) return;
    warned.add(key);
    io.stderr.write(`${io.paintErr('yellow', 'dotbus: warning:')} ${shortened(text, 300)}\n`);
  };
  const durable = flags.durable === true;
  // Both transports hand undecodable messages over with their bytes: the observer's reports would record them twice.
  const recorder = new AuditRecorder(store, { pattern, decodeErrorsFromObserver: false, recordReplays: flags.includeReplays === true, onError: warn });
  const transport = transportOf(redis, flags, recorder);
  const bus = createBus({ transport, untyped: true, observer: recorder.observer, onError: (e) => warn(e), source: '/dotbus-audit', ...(security === undefined ? {} : { security }) });
  const label = redis.redactUrl(flags.redis);
  try {
    recorder.start(bus);
    try {
      await withTimeout(bus.ready(), CONNECT_TIMEOUT_MS + 500);
    } catch (e) {
      throw new CliError(`cannot subscribe on Redis at ${label}: ${describeError(e)}`);
    }
    io.stderr.write(`${escapeControls(`dotbus: recording ${JSON.stringify(pattern)} from ${label} (namespace ${flags.namespace}${durable ? `, group ${flags.group}` : ''}) into ${labelOf(flags.db)}; Ctrl-C to stop`)}\n`);
    await stopped;
  } finally {
    const stats = await recorder.close();
    await withTimeout(bus.close(), 5_000).catch(() => undefined);
    await store.close();
    io.stderr.write(
      `dotbus: recorded ${stats.recorded} record(s) in ${stats.batches} batch(es): ${stats.duplicates} duplicate(s) skipped, ${stats.raw} undecodable, ${stats.gaps} gap(s) (${stats.lost} event(s) lost), ${stats.skippedReplays} replayed event(s) skipped${stats.failedBatches > 0 ? `, ${stats.failedBatches} batch(es) FAILED` : ''}\n`,
    );
  }
}

function transportOf(redis: LoadedRedis, flags: RecordFlags, recorder: AuditRecorder): Transport {
  const common = {
    connection: { url: flags.redis!, connectTimeoutMs: CONNECT_TIMEOUT_MS },
    namespace: flags.namespace,
    readyTimeoutMs: CONNECT_TIMEOUT_MS,
    closeTimeoutMs: 5_000,
  };
  try {
    if (flags.durable === true) {
      return redis.redisStreams({
        ...common,
        group: flags.group,
        consumer: 'recorder',
        startFrom: 'beginning',
        // A batch holds at most maxInFlight entries; the store refusing one is retried, never dead-lettered soon.
        maxInFlight: 1_000,
        claimIdleMs: 5_000,
        retry: { maxAttempts: 1_000, backoff: { baseMs: 200, capMs: 5_000 } },
        // Kept in the log with their bytes instead of dead-lettered, acknowledged once committed.
        onUndecodable: (entry) => recorder.recordUndecodable(entry),
      });
    }
    return redis.redisPubSub({
      ...common,
      // Nothing may be dropped locally while the store commits; a drop would become a gap record.
      queue: { capacity: 100_000, policy: 'drop-oldest' },
      maxInFlight: 1_000,
      onDecodeError: (info) => void recorder.recordRaw(info.raw, info.error.message).catch(() => undefined),
    });
  } catch (e) {
    throw cliErrorOf(e, flags.durable === true ? '--durable' : '--redis');
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
}
