import { checkNamespace, dataSchemaUri, InvalidOptionError } from '../internal.js';
import { matchesPattern, type AnyEventDefinition } from '../index.js';
import { eventEnvelopeSchema } from './envelope-schema.js';
import { registryOf } from './json-schema-export.js';
import type { JsonSchema } from './json-schema.js';
import { patternAddress } from './pattern-channel.js';
import type { ServiceDeclaration } from './service.js';

/** Options of {@link asyncApiDocument}. */
export interface AsyncApiOptions {
  /** The namespace the channels and the stream belong to. @default `dotbus` */
  readonly namespace?: string;
  /** The service whose operations the document lists; without it, only channels and messages. */
  readonly service?: ServiceDeclaration;
  /** A Redis server to name, e.g. `redis.internal:6379`. @default none (the document fits any) */
  readonly server?: string;
}

/** The AsyncAPI version written. */
export const ASYNCAPI_VERSION = '3.0.0';

/** Channel id of the namespace's stream. */
const STREAM_CHANNEL = 'streams:events';

/**
 * An AsyncAPI 3.0 document of one namespace: a Pub/Sub channel per event type (`<ns>:<type>`),
 * one for the whole namespace and one per wildcard subscription (wildcards as address
 * parameters), the Redis Streams stream (`{<ns>}:events`), a message per event type (the
 * CloudEvent as dotbus sends it, data included), and, given a `service`, its operations.
 *
 * @remarks Message payloads are JSON Schema draft-07 (what AsyncAPI 3.0 schemas extend); the
 * standalone files of {@link exportJsonSchemas} are 2020-12. The stream's address has a
 * parameter for the `{<ns>}` hash tag because braces in an AsyncAPI address always mean one.
 * @param definitions - the application's definitions; the built-in ones are always included
 * @throws {@link InvalidOptionError} for a bad namespace, clashing definitions, or a service
 * entry that is not a valid pattern.
 */
export function asyncApiDocument(definitions: Iterable<AnyEventDefinition> = [], options: AsyncApiOptions = {}): JsonSchema {
  const namespace = checkNamespace(options.namespace);
  const registry = registryOf(definitions);
  const types = registry.types().sort();
  const messages: Record<string, JsonSchema> = {};
  for (const type of types) {
    const definition = registry.require(type);
    messages[type] = {
      name: type,
      title: `${type} ${definition.version}`,
      summary: `${definition.name} ${definition.version}`,
      contentType: 'application/cloudevents+json',
      payload: eventEnvelopeSchema(definition, type, 'draft-07'),
      'x-dotbus-dataschema': dataSchemaUri(type, definition.version),
    };
  }
  const refs = (list: readonly string[]): Record<string, JsonSchema> => Object.fromEntries(list.map((t) => [t, { $ref: `#/components/messages/${t}` }]));
  const channels: Record<string, JsonSchema> = {};
  for (const type of types) {
    channels[`pubsub:${type}`] = { address: `${namespace}:${type}`, title: type, description: `Redis Pub/Sub channel of ${type}`, messages: refs([type]) };
  }
  const addPattern = (pattern: string): string => {
    const id = `pubsub:${pattern}`;
    if (channels[id] !== undefined) return id;
    const shape = patternAddress(pattern, types);
    channels[id] = {
      address: `${namespace}:${shape.address}`,
      title: pattern,
      description: `What a subscription to ${pattern} receives: Redis PSUBSCRIBE ${namespace}:${pattern.replaceAll('+', '*')}, filtered to the pattern by dotbus (\`+\` one segment, \`*\` one or more)`,
      parameters: Object.fromEntries(shape.parameters.map((p) => [p.name, {
        description: p.wildcard === '+' ? 'One segment of the event type (the pattern\'s `+`)' : 'One or more dot-separated segments of the event type (the pattern\'s `*`)',
        ...(p.values.length > 0 ? { enum: p.values } : {}),
      }])),
      messages: refs(shape.matching),
    };
    return id;
  };
  addPattern('*');
  channels[STREAM_CHANNEL] = {
    address: '{hashtag}:events',
    title: `{${namespace}}:events`,
    description: 'The Redis stream of the namespace (redisStreams): every event type in one stream, one entry per event with fields `t` (type), `i` (id) and `m` (the CloudEvent message below, as JSON text); consumer groups read it',
    parameters: { hashtag: { description: 'The namespace in braces, a Redis Cluster hash tag', enum: [`{${namespace}}`], default: `{${namespace}}` } },
    messages: refs(types),
  };
  const document: Record<string, unknown> = {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: options.service?.name ?? `dotbus namespace ${namespace}`,
      version: options.service?.version ?? '1.0.0',
      description: options.service?.description ?? `The events of dotbus namespace ${namespace}: CloudEvents 1.0 in structured-mode JSON over Redis Pub/Sub and Redis Streams`,
    },
    defaultContentType: 'application/cloudevents+json',
  };
  if (options.server !== undefined) document['servers'] = { redis: { host: options.server, protocol: 'redis', description: 'Redis' } };
  document['channels'] = channels;
  if (options.service !== undefined) document['operations'] = operationsOf(options.service, types, channels, addPattern);
  document['components'] = { messages };
  return document;
}

/** One `send` per published entry and one `receive` per subscription, each with the messages it carries. */
function operationsOf(service: ServiceDeclaration, types: readonly string[], channels: Record<string, JsonSchema>, addPattern: (p: string) => string): Record<string, JsonSchema> {
  const streams = service.transport === 'streams';
  const operations: Record<string, JsonSchema> = {};
  const add = (action: 'send' | 'receive', pattern: string): void => {
    let matching: string[];
    try {
      matching = types.filter((t) => matchesPattern(pattern, t));
    } catch {
      throw new InvalidOptionError('service', `${service.name}: ${JSON.stringify(pattern)} is not an event type or pattern`);
    }
    const channel = streams ? STREAM_CHANNEL : types.includes(pattern) ? `pubsub:${pattern}` : addPattern(pattern);
    const channelMessages = Object.keys((channels[channel]?.['messages'] ?? {}) as object);
    operations[`${action}:${pattern}`] = {
      action,
      title: `${action === 'send' ? 'Publishes' : 'Subscribes to'} ${pattern}`,
      channel: { $ref: `#/channels/${channel}` },
      messages: matching.filter((t) => channelMessages.includes(t)).map((t) => ({ $ref: `#/channels/${channel}/messages/${t}` })),
    };
  };
  for (const p of service.publishes ?? []) add('send', p);
  for (const p of service.subscribes ?? []) add('receive', p);
  return operations;
}
