import type { TSchema } from '@sinclair/typebox';
import { InvalidOptionError } from '../errors.js';
import type { SensitivePaths } from './sensitive.js';

type Schema = { readonly [keyword: string]: unknown };

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const INDEX = /^(0|[1-9]\d*)$/;

/**
 * Throws unless each sensitive path names a place the schema allows a value: the type-level check
 * again, for JavaScript callers and paths typed loosely, so a misspelt path never masks nothing.
 *
 * @remarks Lenient where a schema does not say: a schema without `type`, `properties` or `items`
 * (`Type.Any()`, `Type.Unknown()`, a `$ref`) accepts any path below it; a union accepts a path
 * one of its members accepts.
 * @throws {@link InvalidOptionError} naming the path and the definition.
 */
export function checkSensitivePaths(schema: TSchema, paths: SensitivePaths, raw: readonly string[], name: string): void {
  paths.forEach((segments, i) => {
    if (!allows(schema as unknown as Schema, segments, 0)) {
      throw new InvalidOptionError('sensitive', `${JSON.stringify(raw[i])} names no field of ${name}'s schema; write a JSON pointer such as "/card/number", with * for every element of an array`);
    }
  });
}

function allows(schema: Schema, segments: readonly string[], i: number): boolean {
  if (i === segments.length) return true;
  const branches = [schema['anyOf'], schema['oneOf'], schema['allOf']].filter(Array.isArray).flat() as unknown[];
  if (branches.length > 0) return branches.some((b) => isSchema(b) && allows(b, segments, i));
  const segment = segments[i]!;
  const properties = schema['properties'];
  const items = schema['items'];
  const extra = schema['additionalProperties'];
  const patterns = schema['patternProperties'];
  if (isSchema(properties) || isSchema(patterns) || extra !== undefined) {
    if (extra === true) return true;
    if (isSchema(properties) && segment !== '*' && isSchema(properties[segment])) return allows(properties[segment], segments, i + 1);
    const open = [extra, ...(isSchema(patterns) ? Object.values(patterns) : [])].filter(isSchema);
    if (segment === '*' && isSchema(properties)) open.push(...Object.values(properties).filter(isSchema));
    return open.some((s) => allows(s, segments, i + 1));
  }
  if (items !== undefined || Array.isArray(schema['prefixItems'])) {
    if (segment !== '*' && !INDEX.test(segment)) return false;
    // `items` is one schema, or (tuples, older drafts) a list of them; `prefixItems` a list.
    const candidates = [items, schema['prefixItems']].flat().filter(isSchema);
    return candidates.some((s) => allows(s, segments, i + 1));
  }
  // A scalar type has nothing below it; a schema that does not say what it holds may hold anything.
  return schema['type'] === undefined;
}
