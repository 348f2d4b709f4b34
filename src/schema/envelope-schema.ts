import { dataSchemaUri, DATA_SCHEMA_PREFIX, MAX_PRODUCER_ID_LENGTH } from '../internal.js';
import type { AnyEventDefinition } from '../index.js';
import { DRAFT_2020_12, escapeRegExp, plainSchema, type JsonSchema, type SchemaDialect } from './json-schema.js';

/** Longest `tracestate` a dotbus consumer accepts (the codec's limit). */
const MAX_TRACESTATE_LENGTH = 512;

/**
 * An RFC 3339 date-time as the codec accepts it. `format` alone is only an annotation in 2020-12
 * (validators need not check it), so the shape is a pattern too; the codec's calendar checks (no
 * 30 February) are left to `format`.
 */
const TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$';

/**
 * The JSON Schema of one event type as dotbus sends it: the CloudEvents 1.0 structured-mode
 * message (every attribute and extension dotbus writes) with the definition's schema as `data`.
 *
 * @remarks The envelope accepts every minor and patch of the definition's major in `schemaversion`
 * and `dataschema`: a consumer decodes those (DESIGN §5), and whether their data still fits is what
 * `checkCompatibility` answers. Attribute names follow CloudEvents (lower-case letters and
 * digits), as the codec requires, so other extensions pass and a misspelt `Type` does not.
 * @param dialect - `2020-12` for a standalone file (`$schema`, `$id`), `draft-07` for AsyncAPI 3.0
 */
export function eventEnvelopeSchema(definition: AnyEventDefinition, type: string, dialect: SchemaDialect): JsonSchema {
  const major = `${escapeRegExp(String(definition.major))}\\.`;
  const paired = { producerid: ['producerseq'], producerseq: ['producerid'], tracestate: ['traceparent'] };
  const body: Record<string, unknown> = {
    title: type,
    description: `Event ${type} (${definition.name} ${definition.version}) as dotbus sends it: a CloudEvents 1.0 message in structured-mode JSON`,
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'schemaversion', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', minLength: 1, description: 'Unique per event; dotbus writes a UUID' },
      source: { type: 'string', minLength: 1, format: 'uri-reference', description: 'Where the event happened, e.g. /orders' },
      type: { const: type },
      time: { type: 'string', format: 'date-time', pattern: TIME_PATTERN, description: 'RFC 3339; dotbus writes UTC with milliseconds' },
      datacontenttype: { const: 'application/json' },
      dataschema: {
        type: 'string',
        format: 'uri',
        pattern: `^${escapeRegExp(`${DATA_SCHEMA_PREFIX}${type}:`)}${major}`,
        description: `The schema of this exact version, e.g. ${dataSchemaUri(type, definition.version)}: the $id of an exported file`,
      },
      schemaversion: { type: 'string', pattern: `^${major}[0-9]+\\.[0-9]+`, description: `Semantic version of the definition (major ${definition.major})` },
      traceparent: { type: 'string', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$', description: 'W3C trace context' },
      tracestate: { type: 'string', maxLength: MAX_TRACESTATE_LENGTH, pattern: '^[ -~]*$', description: 'W3C trace context' },
      producerid: { type: 'string', minLength: 1, maxLength: MAX_PRODUCER_ID_LENGTH, description: 'The producing instance (Redis transports), for loss detection' },
      producerseq: { type: 'string', pattern: '^[1-9][0-9]{0,14}$', description: 'Per-producer sequence number of this event type, decimal' },
      data: dataSchemaOf(definition),
    },
    propertyNames: { pattern: '^[a-z0-9]+$' },
    ...(dialect === '2020-12' ? { dependentRequired: paired } : { dependencies: paired }),
  };
  return dialect === '2020-12' ? { $schema: DRAFT_2020_12, $id: dataSchemaUri(type, definition.version), ...body } : body;
}

/**
 * The definition's schema, annotated with its sensitive fields when it has any:
 * `x-dotbus-sensitive`, JSON pointers into the data (an `x-` keyword, as OpenAPI and AsyncAPI
 * name extensions: validators ignore it, tools that show events can mask what it lists).
 */
function dataSchemaOf(definition: AnyEventDefinition): JsonSchema {
  const schema = plainSchema(definition.schema);
  // `sensitive` may be missing on a definition made by an older copy of dotbus.
  const sensitive = (definition as { readonly sensitive?: readonly string[] }).sensitive ?? [];
  return sensitive.length === 0 ? schema : { ...schema, 'x-dotbus-sensitive': [...sensitive] };
}
