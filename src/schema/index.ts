/**
 * `dotbus/schema`: event definitions as a contract other services and languages can read.
 *
 * JSON Schema 2020-12 files of every event type (the whole CloudEvent dotbus sends), an AsyncAPI
 * 3.0 document of a namespace, and compatibility checks of the current definitions against a
 * previous export, in the modes of a schema registry. Loads nothing beyond core and `node:fs`.
 */

export { exportJsonSchemas, INDEX_FILE } from './json-schema-export.js';
export type { SchemaExport, SchemaIndex, SchemaIndexEntry } from './json-schema-export.js';
export { writeSchemaExport, readSchemaExport } from './export-files.js';
export type { ReadExport } from './export-files.js';
export { eventEnvelopeSchema } from './envelope-schema.js';
export type { JsonSchema, SchemaDialect } from './json-schema.js';
export { asyncApiDocument } from './asyncapi.js';
export type { AsyncApiOptions } from './asyncapi.js';
export type { ServiceDeclaration } from './service.js';
export { checkCompatibility } from './compat/check.js';
export type { CompatibilityOptions, CompatibilityReport, CompatibilityRule, SchemaChange } from './compat/check.js';
export { COMPATIBILITY_MODES } from './compat/modes.js';
export type { CompatibilityDirection, CompatibilityMode } from './compat/modes.js';
export type { SchemaRule } from './compat/rules.js';
export { dataSchemaUri } from '../internal.js';
