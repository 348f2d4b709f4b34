import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, defineEvent, JsonCodec, EventRegistry, Type } from '../../../src/index.js';
import { dataSchemaUri, exportJsonSchemas, INDEX_FILE, readSchemaExport, writeSchemaExport } from '../../../src/schema/index.js';

const OrderPlaced = defineEvent({
  name: 'OrderPlaced',
  type: 'order.placed',
  version: '1.2.0',
  schema: Type.Object({ orderId: Type.String({ minLength: 1 }), total: Type.Number({ minimum: 0 }), note: Type.Optional(Type.String()) }),
  upcasters: {},
});

/** A 2020-12 validator that asserts formats too (they are only annotations by default). */
function validatorOf(schema: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('exportJsonSchemas', () => {
  const exported = exportJsonSchemas([OrderPlaced]);

  it('writes one 2020-12 schema per event type, the built-in ones included, and an index', () => {
    const types = [...BUILT_IN_EVENTS.flatMap((d) => d.types), 'order.placed'].sort();
    expect(exported.index.events.map((e) => e.type)).toEqual(types);
    expect([...exported.files.keys()]).toEqual(types.map((t) => `${t}.json`));
    const schema = exported.files.get('order.placed.json')!;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe('urn:dotbus:schema:order.placed:1.2.0');
    expect(exported.index.events.find((e) => e.type === 'order.placed')).toEqual({
      type: 'order.placed', version: '1.2.0', definition: 'OrderPlaced', $id: 'urn:dotbus:schema:order.placed:1.2.0', file: 'order.placed.json', upcastsFrom: [],
    });
  });

  it("every schema is a valid 2020-12 schema and accepts the codec's messages, stamp and trace context included", () => {
    const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, OrderPlaced]));
    const event = OrderPlaced.create({ orderId: 'o-1', total: 42 }, { trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' } });
    const validate = validatorOf(exported.files.get('order.placed.json')!);
    for (const message of [codec.encode(event), codec.encode(event, { producerId: 'p-1', sequence: 7 }), JSON.stringify(event)]) {
      expect(validate(JSON.parse(message)), JSON.stringify(validate.errors)).toBe(true);
    }
    for (const [file, schema] of exported.files) expect(() => validatorOf(schema), file).not.toThrow();
  });

  it('refuses what dotbus would not send: wrong type, data, attribute names, half a producer stamp, another major', () => {
    const validate = validatorOf(exported.files.get('order.placed.json')!);
    const good = JSON.parse(new JsonCodec(new EventRegistry([OrderPlaced])).encode(OrderPlaced.create({ orderId: 'o-1', total: 1 }))) as Record<string, unknown>;
    expect(validate(good)).toBe(true);
    const bad: Record<string, unknown>[] = [
      { ...good, type: 'order.shipped' },
      { ...good, data: { orderId: 'o-1', total: -1 } },
      { ...good, data: { orderId: 'o-1' } },
      { ...good, Type: 'x' },
      { ...good, producerid: 'p-1' },
      { ...good, schemaversion: '2.0.0' },
      { ...good, dataschema: 'urn:dotbus:schema:order.placed:2.0.0' },
      { ...good, time: 'yesterday' },
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'dataschema')),
    ];
    for (const message of bad) expect(validate(message), JSON.stringify(message)).toBe(false);
    // Another minor of the same major passes the envelope: whether its data fits is the data schema's call.
    expect(validate({ ...good, schemaversion: '1.9.0', dataschema: 'urn:dotbus:schema:order.placed:1.9.0' })).toBe(true);
  });

  it('every message carries the dataschema of its type and version', () => {
    const event = OrderPlaced.create({ orderId: 'o-1', total: 1 });
    expect(dataSchemaUri('order.placed', '1.2.0')).toBe('urn:dotbus:schema:order.placed:1.2.0');
    expect((JSON.parse(new JsonCodec(new EventRegistry([OrderPlaced])).encode(event)) as { dataschema: string }).dataschema).toBe('urn:dotbus:schema:order.placed:1.2.0');
    expect((JSON.parse(JSON.stringify(event)) as { dataschema: string }).dataschema).toBe('urn:dotbus:schema:order.placed:1.2.0');
  });

  it('refuses an event type named index, whose file would be the index', () => {
    const Index = defineEvent({ type: 'index', version: '1.0.0', schema: Type.Object({}) });
    expect(() => exportJsonSchemas([Index])).toThrow(/index\.json/);
  });

  it('is written deterministically and read back as written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotbus-schema-'));
    dirs.push(dir);
    writeSchemaExport(dir, exported);
    const first = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
    writeSchemaExport(dir, exportJsonSchemas([OrderPlaced]));
    expect(readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(first);
    expect(readdirSync(dir)).toContain(INDEX_FILE);
    const back = readSchemaExport(dir);
    expect(back.index).toEqual(exported.index);
    expect(back.schemas.get('order.placed')).toEqual(exported.files.get('order.placed.json'));
    expect(readSchemaExport(join(dir, INDEX_FILE)).index).toEqual(exported.index);
  });

  it('says which file is not an export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotbus-schema-'));
    dirs.push(dir);
    expect(() => readSchemaExport(dir)).toThrow(/can't read .*index\.json: ENOENT/);
  });
});
