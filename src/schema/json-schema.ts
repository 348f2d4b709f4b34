import type { TSchema } from '../index.js';

/** A JSON Schema document or subschema, as plain JSON (no TypeBox symbols). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The dialect a schema is written for: JSON Schema 2020-12 files, or draft-07 inside AsyncAPI 3.0. */
export type SchemaDialect = '2020-12' | 'draft-07';

/** `$schema` of JSON Schema 2020-12. */
export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * `schema` as plain JSON: what `JSON.stringify` keeps of a TypeBox schema (its `Kind` and
 * `Optional` markers are symbols, which JSON leaves out). A fresh copy, so callers may change it.
 */
export function plainSchema(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** Whether `value` is a JSON object (a schema or a map of them), not an array or `null`. */
export function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` escaped for a regular expression that JavaScript and Python read alike. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
