import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { BUILT_IN_EVENTS, EventRegistry, type AnyEventDefinition } from '../index.js';
import { describeError, quote } from '../internal.js';
import { CliError, EXIT_USAGE, oneLine } from './cli-error.js';

/** The `--events` flag of `tail`, `publish`, `replay` and `schema`. */
export interface EventsFlags {
  /** A JS or TS module exporting the application's event definitions. */
  readonly events?: string;
}

/** Extensions plain node can't load: a TypeScript loader (tsx) has to be registered first. */
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** How to run the CLI so that it can load a TypeScript module. */
const TS_LOADER = "NODE_OPTIONS='--import tsx'";

/** Adds `--events MODULE` to `command`. */
export function addEventsOption(command: Command): Command {
  return command.option(
    '--events <module>',
    `a JS module exporting your defineEvent definitions (alone or in arrays), whose events are then typed and validated; a TS module needs ${TS_LOADER}`,
  );
}

/**
 * The definitions `--events` names, or none without the flag.
 *
 * @remarks Every exported value that is a definition counts, and every definition inside an
 * exported array, so `export const OrderPlaced = defineEvent(…)` and `export const EVENTS = [A, B]`
 * both work. A definition is recognised by its shape, not by `instanceof`, so one made by another
 * copy of dotbus (the application's own install) works too.
 * @throws {@link CliError} (exit 2) for a missing file, a TypeScript module without a loader, a
 * module without definitions or definitions that clash; (exit 1) for a module that fails to load.
 */
export async function loadEvents(flags: EventsFlags): Promise<readonly AnyEventDefinition[]> {
  return (await loadEventsModule(flags)).definitions;
}

/** What an `--events` module exports: its definitions (checked as {@link loadEvents} does) and every export. */
export interface EventsModule {
  readonly definitions: readonly AnyEventDefinition[];
  readonly exports: Readonly<Record<string, unknown>>;
}

/** {@link loadEvents}, keeping the module's other exports (`schema export` reads its `service`). */
export async function loadEventsModule(flags: EventsFlags): Promise<EventsModule> {
  const spec = flags.events;
  if (spec === undefined) return { definitions: [], exports: {} };
  const path = resolve(spec);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) throw new CliError(`--events: no file ${quote(spec)}; give the path of a JS or TS module`, EXIT_USAGE);
  if (!stat.isFile()) throw new CliError(`--events: ${quote(spec)} is not a file; give the path of a JS or TS module`, EXIT_USAGE);
  const exports = await importModule(spec, path);
  const definitions = collectDefinitions(exports);
  if (definitions.length === 0) {
    throw new CliError(`--events: ${quote(spec)} exports no event definitions; export what defineEvent returns (alone or in an array)`, EXIT_USAGE);
  }
  try {
    new EventRegistry([...BUILT_IN_EVENTS, ...definitions]);
  } catch (e) {
    throw new CliError(`--events: ${describeError(e)}`, EXIT_USAGE);
  }
  return { definitions, exports };
}

async function importModule(spec: string, path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    if (TYPESCRIPT.has(extname(path)) && (e as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CliError(`--events: ${quote(spec)} is TypeScript, which node can't load by itself; run with a loader: ${TS_LOADER} dotbus …`, EXIT_USAGE);
    }
    throw new CliError(`--events: loading ${quote(spec)} failed: ${oneLine(e)}`);
  }
}

/** Every distinct definition among the module's exports and the arrays it exports. */
function collectDefinitions(module: Record<string, unknown>): AnyEventDefinition[] {
  const found = new Set<AnyEventDefinition>();
  for (const value of Object.values(module)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) if (isDefinition(item)) found.add(item);
  }
  return [...found];
}

/** Whether `value` has the shape of what `defineEvent` returns. */
function isDefinition(value: unknown): value is AnyEventDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<keyof AnyEventDefinition, unknown>;
  return (
    typeof d.name === 'string' &&
    typeof d.version === 'string' &&
    typeof d.major === 'number' &&
    Array.isArray(d.types) &&
    d.types.length > 0 &&
    d.types.every((t) => typeof t === 'string') &&
    typeof d.schema === 'object' &&
    typeof d.upcasters === 'object' &&
    ['check', 'issues', 'is', 'createOf'].every((m) => typeof d[m as keyof AnyEventDefinition] === 'function')
  );
}
