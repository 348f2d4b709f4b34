import { dataSchemaUri, InvalidOptionError } from '../internal.js';
import { BUILT_IN_EVENTS, EventRegistry, type AnyEventDefinition } from '../index.js';
import { eventEnvelopeSchema } from './envelope-schema.js';
import type { JsonSchema } from './json-schema.js';

/** File name of an export's index. */
export const INDEX_FILE = 'index.json';

/** Format marker of {@link SchemaIndex}, bumped if its shape ever changes. */
export const INDEX_FORMAT = 'dotbus-schema-index/1';

/** One event type of an export, as its index lists it. */
export interface SchemaIndexEntry {
  /** The event type. */
  readonly type: string;
  /** Semantic version of its definition. */
  readonly version: string;
  /** Name of its definition, e.g. `ValidationEvent`. */
  readonly definition: string;
  /** The schema's `$id`, which is also every message's `dataschema`. */
  readonly $id: string;
  /** The schema's file, relative to the index: `<type>.json`. */
  readonly file: string;
  /** The older majors the definition upcasts from, ascending. */
  readonly upcastsFrom: readonly number[];
}

/** `index.json` of an export: every event type, sorted. */
export interface SchemaIndex {
  readonly format: typeof INDEX_FORMAT;
  readonly events: readonly SchemaIndexEntry[];
}

/** A JSON Schema export in memory: the index and one schema per file name. */
export interface SchemaExport {
  readonly index: SchemaIndex;
  /** `<type>.json` → its JSON Schema 2020-12 document. */
  readonly files: ReadonlyMap<string, JsonSchema>;
}

/**
 * The JSON Schema 2020-12 export of `definitions` (with the built-in events when none are given):
 * one schema per event type, describing the whole CloudEvent dotbus sends, and an index.
 *
 * @remarks Deterministic (types sorted, no dates), so an export kept in version control changes
 * only when a definition does, and `checkCompatibility` can read it back later.
 * @param definitions - the definitions to export; the built-in ones are always included
 * @throws {@link InvalidOptionError} if two definitions bind one type, or a type is named `index`
 * (its file would be the index).
 */
export function exportJsonSchemas(definitions: Iterable<AnyEventDefinition> = []): SchemaExport {
  const registry = registryOf(definitions);
  const files = new Map<string, JsonSchema>();
  const events: SchemaIndexEntry[] = [];
  for (const type of registry.types().sort()) {
    const definition = registry.require(type);
    const file = `${type}.json`;
    if (file === INDEX_FILE) throw new InvalidOptionError('type', `event type "index" would overwrite the export's ${INDEX_FILE}; rename it`);
    files.set(file, eventEnvelopeSchema(definition, type, '2020-12'));
    events.push({
      type,
      version: definition.version,
      definition: definition.name,
      $id: dataSchemaUri(type, definition.version),
      file,
      upcastsFrom: Object.keys(definition.upcasters).map(Number).sort((a, b) => a - b),
    });
  }
  return { index: { format: INDEX_FORMAT, events }, files };
}

/**
 * The built-in definitions and `definitions` in one registry.
 * @throws {@link InvalidOptionError} if two definitions bind the same type.
 */
export function registryOf(definitions: Iterable<AnyEventDefinition>): EventRegistry {
  try {
    return new EventRegistry([...BUILT_IN_EVENTS, ...definitions]);
  } catch (e) {
    throw new InvalidOptionError('definitions', (e as Error).message);
  }
}
