import { Parser } from '@asyncapi/parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { defineEvent, Type } from '../../../src/index.js';
import { asyncApiDocument, checkCompatibility, exportJsonSchemas, type JsonSchema } from '../../../src/schema/index.js';

const schema = Type.Object({ orderId: Type.String(), card: Type.Object({ number: Type.String() }) });
const Paid = defineEvent({ name: 'Paid', type: 'order.paid', version: '1.0.0', schema, sensitive: ['/card/number'] });
const Plain = defineEvent({ name: 'Plain', type: 'order.plain', version: '1.0.0', schema });

const dataOf = (doc: JsonSchema) => (doc['properties'] as Record<string, JsonSchema>)['data']!;

describe('sensitive fields in the exported schemas', () => {
  const exported = exportJsonSchemas([Paid, Plain]);

  it('the data schema lists them as x-dotbus-sensitive; a type without any has no annotation', () => {
    expect(dataOf(exported.files.get('order.paid.json')!)['x-dotbus-sensitive']).toEqual(['/card/number']);
    expect(dataOf(exported.files.get('order.plain.json')!)).not.toHaveProperty('x-dotbus-sensitive');
  });

  it('validators ignore the annotation: an event still validates', () => {
    const validate = new Ajv2020({ strict: false }).compile(exported.files.get('order.paid.json')!);
    expect(validate(JSON.parse(JSON.stringify(Paid.create({ orderId: 'o-1', card: { number: '4111' } }))))).toBe(true);
  });

  it('the AsyncAPI document carries it and passes the official parser with no error or warning', async () => {
    const doc = asyncApiDocument([Paid]);
    expect(JSON.stringify(doc)).toContain('"x-dotbus-sensitive":["/card/number"]');
    const { diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);
  });

  it('marking a field sensitive, or no longer, is no schema change for checkCompatibility', () => {
    const before = defineEvent({ name: 'Paid', type: 'order.paid', version: '1.0.0', schema });
    const after = defineEvent({ name: 'Paid', type: 'order.paid', version: '1.0.1', schema, sensitive: ['/card/number'] });
    for (const [now, then] of [[after, before], [before, after]] as const) {
      const e = exportJsonSchemas([then]);
      const previous = { path: 'memory', index: e.index, schemas: new Map(e.index.events.map((entry) => [entry.type, e.files.get(entry.file)!])) };
      expect(checkCompatibility([now], [previous], { mode: 'full' }).changes).toEqual([]);
    }
  });
});
