import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openAuditStore, type AuditStore } from '../../audit/index.js';
import { describeError, quote } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';

/** The default log: a SQLite file in the current directory. */
export const DEFAULT_DB = 'dotbus-audit.db';

/** The `--db` flag every `dotbus audit` command shares. */
export interface DbFlags {
  readonly db: string;
}

/** Adds `--db` to `command`. */
export function addDbOption(command: Command): Command {
  return command.option('--db <path|url>', `the audit log: a SQLite file, or a postgres://user:pass@host:port/db URL`, DEFAULT_DB);
}

/**
 * Opens the log `--db` names; a failure is one line naming the log (without its password).
 * `existing`: the command only reads, so a SQLite file that isn't there is a mistyped path (exit
 * 2), not a new empty log that would verify and query as if nothing had been recorded.
 */
export async function openStore(flags: DbFlags, existing = false): Promise<AuditStore> {
  if (existing && !/^postgres(ql)?:\/\//i.test(flags.db) && !existsSync(flags.db)) {
    throw new CliError(`no audit log at ${flags.db}; record one with \`dotbus audit record --db ${flags.db}\`, or give --db the log's path`, EXIT_USAGE);
  }
  try {
    return await openAuditStore(flags.db);
  } catch (e) {
    throw new CliError(`cannot open the audit log ${labelOf(flags.db)}: ${describeError(e)}`);
  }
}

/** `--from`/`--to` as epoch ms: ISO 8601 or epoch ms. */
export function timeFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) throw new CliError(`${flag}: ${quote(value)} is not a time; use ISO 8601 (2025-05-01T12:00:00Z) or epoch ms`, EXIT_USAGE);
  return ms;
}

/** The log named for people: a file path as is, a URL without its password. */
export function labelOf(db: string): string {
  if (!/^postgres(ql)?:\/\//i.test(db)) return db;
  try {
    const u = new URL(db);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
