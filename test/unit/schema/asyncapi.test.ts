import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { defineEvent, Type } from '../../../src/index.js';
import { asyncApiDocument, type JsonSchema } from '../../../src/schema/index.js';

const OrderPlaced = defineEvent({ name: 'OrderPlaced', type: 'order.placed', version: '1.0.0', schema: Type.Object({ orderId: Type.String(), total: Type.Number({ minimum: 0 }) }) });
const OrderShipped = defineEvent({ type: ['order.shipped', 'order.item.shipped'], version: '2.1.0', schema: Type.Object({ orderId: Type.String() }), upcasters: { 1: (d) => d } });
const InvoiceIssued = defineEvent({ type: 'invoice.issued', version: '1.0.0', schema: Type.Object({ invoiceId: Type.String() }) });
const events = [OrderPlaced, OrderShipped, InvoiceIssued];

/** Every diagnostic of the official parser, `severity` 0 an error, 1 a warning. */
async function parse(document: JsonSchema) {
  const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
  return { parsed, errors: diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.message} at ${d.path.join('/')}`), diagnostics };
}

const channels = (doc: JsonSchema) => doc['channels'] as Record<string, { address: string; parameters?: Record<string, { enum?: string[] }>; messages: Record<string, unknown> }>;

describe('asyncApiDocument', () => {
  it('passes the official AsyncAPI parser with no error or warning: built-in events only', async () => {
    const doc = asyncApiDocument();
    expect(doc['asyncapi']).toBe('3.0.0');
    const { parsed, errors } = await parse(doc);
    expect(errors).toEqual([]);
    expect(parsed).toBeDefined();
    expect(parsed!.channels().length).toBeGreaterThan(20);
  });

  it('passes the parser with application events, a namespace, a server and a service with wildcard subscriptions', async () => {
    const doc = asyncApiDocument(events, {
      namespace: 'shop',
      server: 'redis.internal:6379',
      service: { name: 'billing', version: '3.1.0', publishes: ['invoice.issued'], subscribes: ['order.*', 'order.+.shipped', 'system.error.+'], transport: 'pubsub' },
    });
    const { parsed, errors } = await parse(doc);
    expect(errors).toEqual([]);
    expect(parsed!.info().title()).toBe('billing');
    expect(parsed!.operations().length).toBe(4);
    const ops = Object.fromEntries(parsed!.operations().all().map((o) => [o.id(), { action: o.action(), messages: o.messages().all().map((m) => m.name()).sort() }]));
    expect(ops['send:invoice.issued']).toEqual({ action: 'send', messages: ['invoice.issued'] });
    expect(ops['receive:order.*']).toEqual({ action: 'receive', messages: ['order.item.shipped', 'order.placed', 'order.shipped'] });
    expect(ops['receive:order.+.shipped']).toEqual({ action: 'receive', messages: ['order.item.shipped'] });
  });

  it('names the channels and the stream of the namespace, wildcards as address parameters', () => {
    const doc = asyncApiDocument(events, { namespace: 'shop', service: { name: 's', subscribes: ['order.*', 'order.+.shipped'] } });
    const c = channels(doc);
    expect(c['pubsub:order.placed']!.address).toBe('shop:order.placed');
    expect(c['pubsub:*']!.address).toBe('shop:{part1}');
    expect(c['pubsub:order.*']).toMatchObject({ address: 'shop:order.{part2}', parameters: { part2: { enum: ['item.shipped', 'placed', 'shipped'] } } });
    expect(c['pubsub:order.+.shipped']).toMatchObject({ address: 'shop:order.{part2}.shipped', parameters: { part2: { enum: ['item'] } } });
    expect(c['streams:events']).toMatchObject({ address: '{hashtag}:events', parameters: { hashtag: { enum: ['{shop}'] } } });
    expect(Object.keys(c['streams:events']!.messages)).toContain('order.placed');
  });

  it("describes each message as the whole CloudEvent, with the definition's data schema", () => {
    const messages = (asyncApiDocument(events)['components'] as { messages: Record<string, { payload: JsonSchema; contentType: string }> }).messages;
    const placed = messages['order.placed']!;
    expect(placed.contentType).toBe('application/cloudevents+json');
    expect(placed.payload['required']).toEqual(expect.arrayContaining(['specversion', 'id', 'type', 'dataschema', 'data']));
    expect((placed.payload['properties'] as Record<string, unknown>)['data']).toEqual(JSON.parse(JSON.stringify(OrderPlaced.schema)));
    expect(placed.payload['$schema']).toBeUndefined();
  });

  it('streams operations use the stream channel', async () => {
    const doc = asyncApiDocument(events, { service: { name: 'worker', subscribes: ['order.*'], transport: 'streams' } });
    expect((doc['operations'] as Record<string, { channel: { $ref: string } }>)['receive:order.*']!.channel.$ref).toBe('#/channels/streams:events');
    expect((await parse(doc)).errors).toEqual([]);
  });

  it('refuses a namespace the transports refuse, and a service entry that is not a pattern', () => {
    expect(() => asyncApiDocument([], { namespace: 'a:b' })).toThrow(/namespace/);
    expect(() => asyncApiDocument([], { service: { name: 's', subscribes: ['order..x'] } })).toThrow(/not an event type or pattern/);
  });
});
