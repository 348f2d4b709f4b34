import { Option, type Command } from 'commander';
import type { AuditRecord } from '../../audit/index.js';
import { parsePattern, SENSITIVE_MASK, type AnyEventDefinition } from '../../index.js';
import { describeError, maskPaths, quote, sensitivePathsOfDefinition, type SensitivePaths } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CliIO } from '../io.js';
import { addEventsOption, loadEvents, type EventsFlags } from '../events-module.js';
import { escapeControls, shortened } from '../terminal-text.js';
import { addDbOption, openStore, timeFlag, type DbFlags } from './audit-store-flag.js';

interface QueryFlags extends DbFlags, EventsFlags {
  readonly from?: string;
  readonly to?: string;
  readonly context?: string;
  readonly trace?: string;
  readonly id?: string;
  readonly limit: string;
  readonly newest?: boolean;
  readonly format: 'pretty' | 'json';
}

/** `dotbus audit query`. */
export function registerQuery(audit: Command, io: CliIO): void {
  const cmd = audit
    .command('query')
    .description('print the records matching PATTERN and the filters, oldest first')
    .argument('[pattern]', 'event pattern (records without a type, raw and typeless gaps, only without one)')
    .option('--from <time>', 'earliest event time: ISO 8601 or epoch ms')
    .option('--to <time>', 'latest event time (inclusive)')
    .option('--context <id>', 'data.contextId')
    .option('--trace <id>', 'trace id (32 hex digits of traceparent)')
    .option('--id <eventId>', 'one event id')
    .option('--limit <n>', 'most records printed', '100')
    .option('--newest', 'newest first')
    .addOption(new Option('--format <format>', 'pretty: one line per record; json: each event\'s CloudEvent exactly as recorded, one per line').choices(['pretty', 'json']).default('pretty'));
  addEventsOption(addDbOption(cmd)).action((pattern: string | undefined, flags: QueryFlags) => runQuery(pattern, flags, io));
}

async function runQuery(pattern: string | undefined, flags: QueryFlags, io: CliIO): Promise<void> {
  if (pattern !== undefined) {
    try {
      parsePattern(pattern);
    } catch (e) {
      throw new CliError(describeError(e), EXIT_USAGE);
    }
  }
  const limit = Number(flags.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new CliError(`--limit: ${quote(flags.limit)} is not a whole number of records, 1 or more`, EXIT_USAGE);
  const from = timeFlag('--from', flags.from);
  const to = timeFlag('--to', flags.to);
  const sensitive = sensitiveByType(await loadEvents(flags));
  const store = await openStore(flags, true);
  let printed = 0;
  try {
    const query = {
      ...(pattern === undefined ? {} : { pattern }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(flags.context === undefined ? {} : { contextId: flags.context }),
      ...(flags.trace === undefined ? {} : { traceId: flags.trace }),
      ...(flags.id === undefined ? {} : { eventId: flags.id }),
      order: flags.newest === true ? ('newest' as const) : ('oldest' as const),
      limit: Math.min(limit, 1_000),
    };
    for await (const r of store.scan(query)) {
      const paths = r.type === null ? undefined : sensitive.get(r.type);
      io.stdout.write(`${flags.format === 'json' ? jsonOf(r, paths) : prettyOf(io, r, paths)}\n`);
      if (++printed >= limit) break;
    }
  } finally {
    await store.close();
  }
  io.stderr.write(`dotbus: ${printed} record(s)\n`);
}

/** The sensitive paths of each type the `--events` definitions mark any in. */
function sensitiveByType(definitions: readonly AnyEventDefinition[]): Map<string, SensitivePaths> {
  const byType = new Map<string, SensitivePaths>();
  for (const def of definitions) {
    const paths = sensitivePathsOfDefinition(def);
    if (paths.length > 0) for (const t of def.types) byType.set(t, paths);
  }
  return byType;
}

/**
 * An event's CloudEvent as recorded (its sensitive fields masked when `paths` has any); a raw or
 * gap record as `{ "auditrecord": … }`. JSON text stays JSON, escaped for terminals.
 */
function jsonOf(r: AuditRecord, paths: SensitivePaths | undefined): string {
  if (r.kind === 'event') return escapeControls(paths === undefined ? r.body : masked(r.body, paths));
  return escapeControls(JSON.stringify({ auditrecord: r.kind, position: r.position, time: new Date(r.time).toISOString(), reason: r.reason, ...(JSON.parse(r.body) as object) }));
}

/** `body` (a recorded CloudEvent) with the fields at `paths` of its data masked; unparsable text as `***`, never as is. */
function masked(body: string, paths: SensitivePaths): string {
  try {
    const m = JSON.parse(body) as Record<string, unknown>;
    return JSON.stringify({ ...m, data: maskPaths(m['data'], paths) });
  } catch {
    return JSON.stringify(SENSITIVE_MASK);
  }
}

function prettyOf(io: CliIO, r: AuditRecord, paths: SensitivePaths | undefined): string {
  const pos = io.paint('dim', `#${r.position}`.padEnd(8));
  const time = io.paint('dim', new Date(r.time).toISOString().replace('T', ' ').slice(0, 23));
  if (r.kind === 'gap') return `${pos} ${time} ${io.paint('red', 'GAP'.padEnd(30))} ${shortened(r.reason ?? '', 200)}${r.type === null ? '' : ` in ${shortened(r.type, 100)}`}`;
  if (r.kind === 'raw') return `${pos} ${time} ${io.paint('yellow', 'RAW (undecodable)'.padEnd(30))} ${shortened(r.reason ?? '', 200)}: ${shortened(r.body, 200)}`;
  let data = '';
  let replay = '';
  try {
    const m = JSON.parse(r.body) as { data?: unknown; replayof?: string };
    data = JSON.stringify(paths === undefined ? m.data : maskPaths(m.data, paths)) ?? '';
    if (typeof m.replayof === 'string') replay = ` [replay of ${m.replayof}]`;
  } catch {
    data = paths === undefined ? r.body : SENSITIVE_MASK;
  }
  return `${pos} ${time} ${io.paint('magenta', escapeControls((r.type ?? '').padEnd(30)))} ${shortened(r.source ?? '', 40)} ${shortened(r.eventId ?? '', 40)}${escapeControls(replay)} ${shortened(data, 160)}`;
}
