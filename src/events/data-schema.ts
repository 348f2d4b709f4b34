/**
 * The `dataschema` URI of an event type at a version: the CloudEvents attribute every message
 * carries, and the `$id` of the JSON Schema `dotbus schema export` writes for it.
 *
 * @remarks A URN rather than an `https:` address: dotbus knows no host the schemas would be
 * served from, and a consumer resolves the URI against the export's `index.json` (or by its
 * parts), never over the network. Event types and semantic versions use only characters a URN
 * may hold unescaped (`[A-Za-z0-9_.+-]`), so the URI is the two joined as they are.
 */
export const DATA_SCHEMA_PREFIX = 'urn:dotbus:schema:';

/**
 * `urn:dotbus:schema:<type>:<version>`, e.g. `urn:dotbus:schema:order.placed:1.2.0`.
 * @param type - an event type
 * @param version - the semantic version of its definition
 */
export function dataSchemaUri(type: string, version: string): string {
  return `${DATA_SCHEMA_PREFIX}${type}:${version}`;
}
