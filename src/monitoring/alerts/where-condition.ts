import type { AnyBusEvent } from '../../index.js';
import { groupReader } from '../aggregation/field-path.js';
import type { EventPredicate } from './rule-spec.js';

type Scalar = string | number | boolean;
const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'] as const;

/**
 * A rule file's `where`: field paths mapped to a value (equality) or to operators, all of which
 * must hold, e.g. `{ data.status: failed, data.durationMs: { gt: 500 } }`.
 * Operators: `eq`, `ne`, `gt`, `gte`, `lt`, `lte` (numbers), `in` (a list), `exists` (true/false).
 * @throws a message (no rule name: the caller adds it) for a malformed condition.
 */
export function whereCondition(raw: unknown): EventPredicate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('give field paths and values, e.g. { data.status: failed, data.durationMs: { gt: 500 } }');
  const tests: ((event: AnyBusEvent) => boolean)[] = [];
  for (const [path, condition] of Object.entries(raw as Record<string, unknown>)) {
    let read: (event: AnyBusEvent) => unknown;
    try {
      read = groupReader(path);
    } catch {
      throw new Error(`${JSON.stringify(path)} is no field path`);
    }
    if (isScalar(condition)) {
      tests.push((e) => read(e) === condition);
      continue;
    }
    if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) throw new Error(`${path}: give a value or operators such as { gt: 500 }`);
    for (const [op, operand] of Object.entries(condition as Record<string, unknown>)) tests.push(operatorTest(path, op, operand, read));
  }
  return (event) => tests.every((t) => t(event));
}

function operatorTest(path: string, op: string, operand: unknown, read: (event: AnyBusEvent) => unknown): (event: AnyBusEvent) => boolean {
  const bad = (what: string) => new Error(`${path}.${op}: ${what}`);
  switch (op) {
    case 'eq':
    case 'ne': {
      if (!isScalar(operand)) throw bad('give a string, number or boolean');
      return op === 'eq' ? (e) => read(e) === operand : (e) => read(e) !== operand;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof operand !== 'number' || !Number.isFinite(operand)) throw bad('give a number');
      const cmp = { gt: (x: number) => x > operand, gte: (x: number) => x >= operand, lt: (x: number) => x < operand, lte: (x: number) => x <= operand }[op];
      return (e) => {
        const v = read(e);
        return typeof v === 'number' && cmp(v);
      };
    }
    case 'in': {
      if (!Array.isArray(operand) || !operand.every(isScalar)) throw bad('give a list of values');
      const set = new Set<unknown>(operand);
      return (e) => set.has(read(e));
    }
    case 'exists': {
      if (typeof operand !== 'boolean') throw bad('give true or false');
      return (e) => (read(e) !== undefined) === operand;
    }
    default:
      throw bad(`unknown operator; use one of ${OPERATORS.join(', ')}`);
  }
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
