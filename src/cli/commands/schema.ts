import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { describeError } from '../../internal.js';
import {
  asyncApiDocument, checkCompatibility, COMPATIBILITY_MODES, exportJsonSchemas, INDEX_FILE, readSchemaExport, writeSchemaExport,
  type CompatibilityMode, type ReadExport, type SchemaChange,
} from '../../schema/index.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import { addEventsOption, loadEventsModule, type EventsFlags } from '../events-module.js';
import type { CliIO } from '../io.js';
import { serviceOf } from '../service-declaration.js';
import { escapeControls } from '../terminal-text.js';

interface ExportFlags extends EventsFlags {
  readonly format: 'jsonschema' | 'asyncapi';
  readonly out?: string;
  readonly namespace?: string;
}

interface CheckFlags extends EventsFlags {
  readonly against: readonly string[];
  readonly mode: CompatibilityMode;
}

/** Where `--format jsonschema` writes without `--out`. */
const DEFAULT_DIRECTORY = 'schemas';

/** `dotbus schema export|check`: the definitions as JSON Schema or AsyncAPI, and compatibility with a previous export. */
export const schemaCommand: CommandModule = {
  name: 'schema',
  register(program: Command, io: CliIO): void {
    const schema = program.command('schema').description('export event schemas (JSON Schema, AsyncAPI) and check changes for compatibility');
    const exportCmd = schema
      .command('export')
      .description('write the JSON Schema of every event type (and an index), or the AsyncAPI 3.0 document of a namespace')
      .addOption(new Option('--format <format>', 'jsonschema: one file per event type and index.json; asyncapi: one document').choices(['jsonschema', 'asyncapi']).makeOptionMandatory())
      .option('--out <path>', `jsonschema: a directory (default ./${DEFAULT_DIRECTORY}); asyncapi: a file (default stdout)`)
      .option('--namespace <ns>', 'asyncapi: the namespace of the channels and the stream', 'dotbus');
    addEventsOption(exportCmd)
      .addHelpText('after', `\nWithout --events: the built-in events. A module may also export \`service\` ({ name, publishes, subscribes }) for the AsyncAPI operations.\n\nExamples:\n  dotbus schema export --format jsonschema --out schemas\n  dotbus schema export --format asyncapi --events ./dist/events.js --namespace shop > asyncapi.json`)
      .action((flags: ExportFlags) => runExport(flags, io));
    const checkCmd = schema
      .command('check')
      .description('compare the current definitions with previous exports; exit 1 if a change breaks the mode')
      .requiredOption('--against <path>', 'a previous export (its directory or index.json); repeat it for the history the -transitive modes compare with', (value: string, previous: string[] = []) => [...previous, value])
      .addOption(new Option('--mode <mode>', 'which readers and writers must keep working').choices([...COMPATIBILITY_MODES]).default('backward'));
    addEventsOption(checkCmd)
      .addHelpText('after', '\nExit codes: 0 compatible, 1 a change breaks the mode, 2 usage.\n\nExample:\n  dotbus schema check --against schemas --events ./dist/events.js --mode full')
      .action((flags: CheckFlags) => runCheck(flags, io));
  },
};

async function runExport(flags: ExportFlags, io: CliIO): Promise<void> {
  const module = await loadEventsModule(flags);
  if (flags.format === 'asyncapi') {
    const document = usage(() => asyncApiDocument(module.definitions, { namespace: flags.namespace, service: serviceOf(module.exports, flags.events) }));
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (flags.out === undefined) io.stdout.write(text);
    else {
      write(() => writeFileSync(flags.out!, text), flags.out);
      io.stderr.write(`dotbus: wrote the AsyncAPI ${String(document['asyncapi'])} document of namespace ${escapeControls(flags.namespace ?? 'dotbus')} to ${escapeControls(flags.out)}\n`);
    }
    return;
  }
  const exported = usage(() => exportJsonSchemas(module.definitions));
  const directory = flags.out ?? DEFAULT_DIRECTORY;
  write(() => writeSchemaExport(directory, exported), directory);
  io.stderr.write(`dotbus: wrote ${exported.files.size} JSON Schemas (2020-12) and ${INDEX_FILE} to ${escapeControls(directory)}\n`);
}

async function runCheck(flags: CheckFlags, io: CliIO): Promise<void> {
  const module = await loadEventsModule(flags);
  const previous: ReadExport[] = flags.against.map((path) => usage(() => readSchemaExport(path)));
  const report = usage(() => checkCompatibility(module.definitions, previous, { mode: flags.mode }));
  for (const change of report.changes) io.stdout.write(`${line(change, io)}\n`);
  const breaking = report.changes.filter((c) => !c.accepted);
  const against = plural(previous.length, 'export');
  if (breaking.length === 0) {
    io.stderr.write(`dotbus: ${report.mode}: compatible (${report.compared} event type versions compared against ${against}${report.changes.length > 0 ? `; accepted: ${plural(report.changes.length, 'change')}` : ''})\n`);
    return;
  }
  const types = new Set(breaking.map((c) => c.eventType)).size;
  throw new CliError(`${report.mode}: ${plural(breaking.length, 'incompatible change')} in ${plural(types, 'event type')} (compared against ${against})`, EXIT_FAILURE);
}

/** `3 changes`, `1 export`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `order.placed 1.0.0 → 1.1.0 /properties/data/properties/total type-narrowed: breaks readers: …` */
function line(change: SchemaChange, io: CliIO): string {
  const versions = `${change.previous} → ${change.current ?? '(removed)'}`;
  const mark = change.accepted ? io.paint('yellow', 'accepted') : io.paint('red', 'BREAKING');
  return `${mark} ${escapeControls(`${change.eventType} ${versions} ${change.pointer || '/'} ${change.rule}: ${change.message}`)}`;
}

/** `run()`, with a library option error (a bad namespace, export or service) as a usage error. */
function usage<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    const message = describeError(e).replace(/^option `against`: /, '--against: ').replace(/^option `([^`]+)`: /, '$1: ');
    throw new CliError(message, (e as { code?: unknown }).code === 'INVALID_OPTION' || (e as { code?: unknown }).code === 'INVALID_PATTERN' ? EXIT_USAGE : EXIT_FAILURE);
  }
}

function write(run: () => unknown, path: string): void {
  try {
    run();
  } catch (e) {
    throw new CliError(`can't write ${escapeControls(path)}: ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
  }
}
