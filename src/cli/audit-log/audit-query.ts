import { Option, type Command } from 'commander';
import type { AuditRecord } from '../../audit/index.js';
import { parsePattern } from '../../index.js';
import { describeError, quote } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CliIO } from '../io.js';
import { escapeControls, shortened } from '../terminal-text.js';
import { addDbOption, openStore, timeFlag, type DbFlags } from './audit-store-flag.js';

interface QueryFlags extends DbFlags {
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
  addDbOption(cmd).action((pattern: string | undefined, flags: QueryFlags) => runQuery(pattern, flags, io));
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
      io.stdout.write(`${flags.format === 'json' ? jsonOf(r) : prettyOf(io, r)}\n`);
      if (++printed >= limit) break;
    }
  } finally {
    await store.close();
  }
  io.stderr.write(`dotbus: ${printed} record(s)\n`);
}

/** An event's CloudEvent as recorded; a raw or gap record as `{ "auditrecord": … }`. JSON text stays JSON, escaped for terminals. */
function jsonOf(r: AuditRecord): string {
  if (r.kind === 'event') return escapeControls(r.body);
  return escapeControls(JSON.stringify({ auditrecord: r.kind, position: r.position, time: new Date(r.time).toISOString(), reason: r.reason, ...(JSON.parse(r.body) as object) }));
}

function prettyOf(io: CliIO, r: AuditRecord): string {
  const pos = io.paint('dim', `#${r.position}`.padEnd(8));
  const time = io.paint('dim', new Date(r.time).toISOString().replace('T', ' ').slice(0, 23));
  if (r.kind === 'gap') return `${pos} ${time} ${io.paint('red', 'GAP'.padEnd(30))} ${shortened(r.reason ?? '', 200)}${r.type === null ? '' : ` in ${shortened(r.type, 100)}`}`;
  if (r.kind === 'raw') return `${pos} ${time} ${io.paint('yellow', 'RAW (undecodable)'.padEnd(30))} ${shortened(r.reason ?? '', 200)}: ${shortened(r.body, 200)}`;
  let data = '';
  let replay = '';
  try {
    const m = JSON.parse(r.body) as { data?: unknown; replayof?: string };
    data = JSON.stringify(m.data) ?? '';
    if (typeof m.replayof === 'string') replay = ` [replay of ${m.replayof}]`;
  } catch {
    data = r.body;
  }
  return `${pos} ${time} ${io.paint('magenta', escapeControls((r.type ?? '').padEnd(30)))} ${shortened(r.source ?? '', 40)} ${shortened(r.eventId ?? '', 40)}${escapeControls(replay)} ${shortened(data, 160)}`;
}
