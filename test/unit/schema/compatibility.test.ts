import { describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, defineEvent, Type, type AnyEventDefinition, type TSchema } from '../../../src/index.js';
import { checkCompatibility, COMPATIBILITY_MODES, exportJsonSchemas, type CompatibilityMode, type ReadExport } from '../../../src/schema/index.js';

/** An export of `definitions`, as `readSchemaExport` would read it back. */
function exported(...definitions: AnyEventDefinition[]): ReadExport {
  const e = exportJsonSchemas(definitions);
  return { path: 'memory', index: e.index, schemas: new Map(e.index.events.map((entry) => [entry.type, e.files.get(entry.file)!])) };
}

const v = (version: string, schema: TSchema, upcasters: Record<number, (d: unknown) => unknown> = {}) =>
  defineEvent({ name: 'Thing', type: 'thing.changed', version, schema, upcasters });

/** The rules `mode` reports for `before` → `after` (types other than thing.changed are the built-ins: unchanged). */
function rules(before: TSchema, after: TSchema, mode: CompatibilityMode = 'backward'): string[] {
  const report = checkCompatibility([v('1.1.0', after)], [exported(v('1.0.0', before))], { mode });
  expect(report.compatible).toBe(report.changes.length === 0);
  return report.changes.map((c) => c.rule);
}

const S = Type.String();
const N = Type.Number();

/**
 * One row per rule: a change that breaks backward compatibility (new readers refuse old data),
 * and whose reverse does not. Forward compatibility is the mirror: the reverse breaks it.
 */
const RULES: ReadonlyArray<{ rule: string; change: string; before: TSchema; after: TSchema }> = [
  { rule: 'required-added', change: 'an optional field becomes required', before: Type.Object({ a: S, b: Type.Optional(S) }), after: Type.Object({ a: S, b: S }) },
  { rule: 'required-added', change: 'a required field is added', before: Type.Object({ a: S }), after: Type.Object({ a: S, c: N }) },
  { rule: 'type-narrowed', change: 'number becomes integer', before: Type.Object({ n: N }), after: Type.Object({ n: Type.Integer() }) },
  { rule: 'type-narrowed', change: 'a type leaves a union', before: Type.Object({ n: Type.Union([S, N]) }), after: Type.Object({ n: S }) },
  { rule: 'enum-narrowed', change: 'an enum loses a value', before: Type.Object({ s: Type.Union([Type.Literal('a'), Type.Literal('b')]) }), after: Type.Object({ s: Type.Literal('a') }) },
  { rule: 'enum-narrowed', change: 'a free string becomes an enum', before: Type.Object({ s: S }), after: Type.Object({ s: Type.Union([Type.Literal('a'), Type.Literal('b')]) }) },
  { rule: 'additional-properties-closed', change: 'additionalProperties becomes false', before: Type.Object({ a: S }), after: Type.Object({ a: S }, { additionalProperties: false }) },
  { rule: 'property-removed', change: 'a field leaves a closed object', before: Type.Object({ a: S, b: Type.Optional(S) }, { additionalProperties: false }), after: Type.Object({ a: S }, { additionalProperties: false }) },
  { rule: 'minimum-raised', change: 'minimum goes up', before: Type.Object({ n: Type.Number({ minimum: 0 }) }), after: Type.Object({ n: Type.Number({ minimum: 1 }) }) },
  { rule: 'minimum-raised', change: 'minimum becomes exclusive', before: Type.Object({ n: Type.Number({ minimum: 0 }) }), after: Type.Object({ n: Type.Number({ exclusiveMinimum: 0 }) }) },
  { rule: 'maximum-lowered', change: 'a maximum appears', before: Type.Object({ n: N }), after: Type.Object({ n: Type.Number({ maximum: 100 }) }) },
  { rule: 'min-length-raised', change: 'minLength goes up', before: Type.Object({ s: S }), after: Type.Object({ s: Type.String({ minLength: 1 }) }) },
  { rule: 'max-length-lowered', change: 'maxLength goes down', before: Type.Object({ s: Type.String({ maxLength: 10 }) }), after: Type.Object({ s: Type.String({ maxLength: 5 }) }) },
  { rule: 'pattern-changed', change: 'a pattern appears', before: Type.Object({ s: S }), after: Type.Object({ s: Type.String({ pattern: '^[a-z]+$' }) }) },
  { rule: 'min-items-raised', change: 'minItems goes up', before: Type.Object({ l: Type.Array(S) }), after: Type.Object({ l: Type.Array(S, { minItems: 1 }) }) },
  { rule: 'max-items-lowered', change: 'maxItems goes down', before: Type.Object({ l: Type.Array(S, { maxItems: 3 }) }), after: Type.Object({ l: Type.Array(S, { maxItems: 2 }) }) },
  { rule: 'union-narrowed', change: 'a union loses an object branch', before: Type.Object({ u: Type.Union([Type.Object({ a: S }), Type.Array(S), Type.Null()]) }), after: Type.Object({ u: Type.Union([Type.Object({ a: S }), Type.Null()]) }) },
  { rule: 'type-narrowed', change: 'array items narrow', before: Type.Object({ l: Type.Array(N) }), after: Type.Object({ l: Type.Array(Type.Integer()) }) },
];

describe('checkCompatibility: the rule table', () => {
  it.each(RULES)('$rule ($change): breaks backward; the reverse is backward-compatible', ({ rule, before, after }) => {
    expect(rules(before, after)).toEqual([rule]);
    expect(rules(after, before)).toEqual([]);
  });

  it.each(RULES)('$rule ($change): the reverse breaks forward; the change itself is forward-compatible', ({ rule, before, after }) => {
    expect(rules(after, before, 'forward')).toEqual([rule]);
    expect(rules(before, after, 'forward')).toEqual([]);
  });

  it.each(RULES)('$rule ($change): full refuses both', ({ rule, before, after }) => {
    expect(rules(before, after, 'full')).toEqual([rule]);
    expect(rules(after, before, 'full')).toEqual([rule]);
  });

  it('adding an optional field, or a value to an enum, is compatible both ways unless a reader is closed', () => {
    expect(rules(Type.Object({ a: S }), Type.Object({ a: S, b: Type.Optional(N) }), 'full')).toEqual([]);
    const ab = Type.Object({ s: Type.Union([Type.Literal('a'), Type.Literal('b')]) });
    expect(rules(Type.Object({ s: Type.Literal('a') }), ab)).toEqual([]);
    // A closed old reader refuses the new field that new writers send.
    expect(rules(Type.Object({ a: S }, { additionalProperties: false }), Type.Object({ a: S, b: Type.Optional(N) }, { additionalProperties: false }), 'forward')).toEqual(['property-removed']);
  });

  it('points at the place in the exported file, and says who breaks and why', () => {
    const report = checkCompatibility([v('1.1.0', Type.Object({ order: Type.Object({ total: Type.Integer() }) }))], [exported(v('1.0.0', Type.Object({ order: Type.Object({ total: N }) })))], { mode: 'full' });
    expect(report.changes).toEqual([
      expect.objectContaining({
        eventType: 'thing.changed', rule: 'type-narrowed', pointer: '/properties/data/properties/order/properties/total/type', previous: '1.0.0', current: '1.1.0', direction: 'backward', breaks: 'readers', accepted: false,
        message: 'breaks readers: consumers on 1.1.0 refuse events written under 1.0.0: 1.1.0 requires integer; 1.0.0 allows number',
      }),
    ]);
    expect(report.compatible).toBe(false);
  });
});

describe('checkCompatibility: versions, majors and upcasters', () => {
  const before = Type.Object({ total: N });
  const after = Type.Object({ total: Type.Integer(), currency: S });

  it('a breaking change under a new major with an upcaster from the old one is accepted (backward)', () => {
    const report = checkCompatibility([v('2.0.0', after, { 1: (d) => d })], [exported(v('1.0.0', before))]);
    expect(report.compatible).toBe(true);
    expect(report.changes.map((c) => [c.rule, c.accepted])).toEqual([['required-added', true], ['type-narrowed', true]]);
    expect(report.changes[0]!.message).toMatch(/^accepted: major 2 upcasts 1\.0\.0 events/);
  });

  it('a new major without the upcaster breaks backward, whatever changed', () => {
    const report = checkCompatibility([v('2.0.0', before)], [exported(v('1.0.0', before))]);
    expect(report.changes.map((c) => c.rule)).toEqual(['upcaster-missing']);
    expect(report.changes[0]!.message).toMatch(/add `upcasters: \{ 1: … \}` to Thing/);
    expect(report.compatible).toBe(false);
  });

  it('a new major breaks forward even with upcasters: consumers on the old major refuse it', () => {
    const report = checkCompatibility([v('2.0.0', before, { 1: (d) => d })], [exported(v('1.0.0', before))], { mode: 'forward' });
    expect(report.changes.map((c) => [c.rule, c.breaks])).toEqual([['major-changed', 'writers']]);
  });

  it('a breaking change under the same major is refused even with upcasters', () => {
    expect(checkCompatibility([v('1.1.0', after, { 0: (d) => d })], [exported(v('1.0.0', before))]).compatible).toBe(false);
  });

  it('a type without a definition any more breaks backward, not forward', () => {
    const Other = defineEvent({ type: 'other.thing', version: '1.0.0', schema: Type.Object({}) });
    expect(checkCompatibility([], [exported(Other)]).changes.map((c) => [c.eventType, c.rule])).toEqual([['other.thing', 'event-removed']]);
    expect(checkCompatibility([], [exported(Other)], { mode: 'forward' }).compatible).toBe(true);
    // A new type is no change.
    expect(checkCompatibility([Other], [exported()], { mode: 'full' }).changes).toEqual([]);
  });

  it('non-transitive modes compare with the latest previous version, transitive ones with every one', () => {
    // 1.0.0 had `b` optional; 1.1.0 made it required (a break, released anyway); 1.2.0 keeps it.
    const history = [exported(v('1.1.0', Type.Object({ b: S }))), exported(v('1.0.0', Type.Object({ b: Type.Optional(S) })))];
    const current = [v('1.2.0', Type.Object({ b: S }))];
    expect(checkCompatibility(current, history, { mode: 'backward' })).toMatchObject({ compatible: true, compared: BUILT_IN_EVENTS.flatMap((d) => d.types).length + 1 });
    const transitive = checkCompatibility(current, history, { mode: 'backward-transitive' });
    expect(transitive.compatible).toBe(false);
    expect(transitive.changes.map((c) => [c.previous, c.rule])).toEqual([['1.0.0', 'required-added']]);
    expect(checkCompatibility(current, history, { mode: 'forward-transitive' }).compatible).toBe(true);
    expect(checkCompatibility(current, history, { mode: 'full-transitive' }).compatible).toBe(false);
  });

  it('the built-in events are compatible with themselves in every mode', () => {
    for (const mode of COMPATIBILITY_MODES) expect(checkCompatibility([], [exported()], { mode })).toMatchObject({ compatible: true, changes: [] });
  });

  it('refuses an unknown mode', () => {
    expect(() => checkCompatibility([], [], { mode: 'sideways' as CompatibilityMode })).toThrow(/mode/);
  });
});
