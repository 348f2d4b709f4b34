import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidOptionError } from '../internal.js';
import { INDEX_FILE, INDEX_FORMAT, type SchemaExport, type SchemaIndex, type SchemaIndexEntry } from './json-schema-export.js';
import { isObject, type JsonSchema } from './json-schema.js';

/**
 * Writes `exported` into `directory` (created if missing): `index.json` and one `<type>.json` per
 * event type, two-space indented with a final newline, so the files diff well.
 * @returns the paths written, the index last
 */
export function writeSchemaExport(directory: string, exported: SchemaExport): string[] {
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  for (const [file, schema] of exported.files) written.push(writeJson(join(directory, file), schema));
  written.push(writeJson(join(directory, INDEX_FILE), exported.index));
  return written;
}

function writeJson(path: string, value: unknown): string {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/** A previous export read back: its index, and each event's schema by type. */
export interface ReadExport {
  /** Where it was read from (the index file). */
  readonly path: string;
  readonly index: SchemaIndex;
  /** Event type → its exported schema. */
  readonly schemas: ReadonlyMap<string, JsonSchema>;
}

/**
 * Reads an export written by {@link writeSchemaExport} (or `dotbus schema export`).
 * @param path - the export's directory or its `index.json`
 * @throws {@link InvalidOptionError} naming the file and what is wrong with it.
 */
export function readSchemaExport(path: string): ReadExport {
  const indexPath = statSync(path, { throwIfNoEntry: false })?.isDirectory() === true ? join(path, INDEX_FILE) : path;
  const index = readJson(indexPath);
  if (!isObject(index) || index['format'] !== INDEX_FORMAT || !Array.isArray(index['events'])) {
    throw new InvalidOptionError('against', `${indexPath} is not the ${INDEX_FILE} of a dotbus schema export (format ${INDEX_FORMAT})`);
  }
  const schemas = new Map<string, JsonSchema>();
  for (const entry of index['events'] as unknown[]) {
    if (!isEntry(entry)) throw new InvalidOptionError('against', `${indexPath} lists an entry without type, version and file: ${JSON.stringify(entry).slice(0, 200)}`);
    const schema = readJson(join(dirname(indexPath), entry.file));
    if (!isObject(schema)) throw new InvalidOptionError('against', `${entry.file} of ${indexPath} is not a JSON Schema object`);
    schemas.set(entry.type, schema);
  }
  return { path: indexPath, index: index as unknown as SchemaIndex, schemas };
}

function isEntry(value: unknown): value is SchemaIndexEntry {
  return isObject(value) && typeof value['type'] === 'string' && typeof value['version'] === 'string' && typeof value['file'] === 'string' && !/[/\\]/.test(value['file']);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidOptionError('against', `can't read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InvalidOptionError('against', `${path} is not JSON: ${(e as Error).message}`);
  }
}
