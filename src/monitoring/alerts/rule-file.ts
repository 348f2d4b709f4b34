import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { DotbusError } from '../../internal.js';
import type { RuleKind } from './alert-change.js';
import { durationMs } from './duration.js';
import { RuleError } from './rule-error.js';
import { ruleSpec, type RawRule, type RuleSpec } from './rule-spec.js';
import { whereCondition } from './where-condition.js';

/** A rule file, checked. */
export interface RuleFile {
  /** The file's `allowedLateness`, in ms, when it sets one. */
  readonly allowedLatenessMs: number | undefined;
  readonly rules: readonly RuleSpec[];
}

const KINDS: readonly RuleKind[] = ['threshold', 'sequence', 'absence', 'anomaly'];
const COMMON = ['name', 'kind', 'severity', 'annotations', 'maxGroups', 'keepFiringFor'];
const FIELDS: Readonly<Record<RuleKind, readonly string[]>> = {
  threshold: [...COMMON, 'pattern', 'value', 'aggregate', 'window', 'windowType', 'every', 'groupBy', 'where', 'above', 'below', 'resolveBelow', 'resolveAbove', 'for'],
  sequence: [...COMMON, 'steps', 'correlate', 'within'],
  absence: [...COMMON, 'pattern', 'expect', 'correlate', 'within', 'where', 'expectWhere'],
  anomaly: [...COMMON, 'pattern', 'value', 'groupBy', 'where', 'zScore', 'minSamples', 'minDeviation', 'alpha', 'for'],
};
const STEP_FIELDS = ['pattern', 'times', 'where'];
const FILE_FIELDS = ['rules', 'allowedLateness'];

/**
 * Reads and checks a rule file, YAML or JSON (JSON is YAML too: one parser, the same line numbers).
 * @throws {@link RuleError} naming the line, the rule and the field; a `DotbusError` (`INVALID_OPTION`) for a file that is no rule file.
 */
export async function loadRuleFile(path: string): Promise<RuleFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DotbusError('INVALID_OPTION', `cannot read the rule file: ${(e as Error).message}`);
  }
  return parseRules(text);
}

/**
 * Checks the rules of a YAML or JSON text:
 * ```yaml
 * allowedLateness: 2s        # optional
 * rules:
 *   - name: slow-ops
 *     kind: threshold
 *     pattern: performance.operation.complete
 *     value: data.durationMs
 *     aggregate: p95
 *     window: 5m
 *     above: 500
 * ```
 * `where` conditions map field paths to a value or to operators (`eq`, `ne`, `gt`, `gte`, `lt`,
 * `lte`, `in`, `exists`). Unknown fields are errors, so a misspelt option never goes unnoticed.
 * @throws {@link RuleError} as {@link loadRuleFile}.
 */
export function parseRules(text: string): RuleFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (path: readonly (string | number)[]): number | undefined => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new DotbusError('INVALID_OPTION', `line ${lines.linePos(first.pos[0]).line}: ${first.message.split('\n', 1)[0]}`);
  }
  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof root !== 'object' || root === null || Array.isArray(root) || !Array.isArray((root as Record<string, unknown>)['rules'])) {
    throw new DotbusError('INVALID_OPTION', 'a rule file holds `rules:`, a list of rules (see the README)');
  }
  const file = root as Record<string, unknown>;
  for (const key of Object.keys(file)) {
    if (!FILE_FIELDS.includes(key)) throw new DotbusError('INVALID_OPTION', `line ${lineAt([key]) ?? '?'}: unknown top-level field \`${key}\`; expected ${FILE_FIELDS.join(', ')}`);
  }
  let allowedLatenessMs: number | undefined;
  if (file['allowedLateness'] !== undefined) {
    allowedLatenessMs = durationMs(file['allowedLateness']);
    if (allowedLatenessMs === undefined) throw new DotbusError('INVALID_OPTION', `line ${lineAt(['allowedLateness']) ?? '?'}: allowedLateness: write a duration such as 2s`);
  }
  const names = new Set<string>();
  const rules = (file['rules'] as unknown[]).map((raw, i) => {
    try {
      const spec = ruleOf(raw, i);
      if (names.has(spec.name)) throw new RuleError(spec.name, 'name', 'another rule has this name; names must be unique');
      names.add(spec.name);
      return spec;
    } catch (e) {
      if (e instanceof RuleError) throw e.at(lineAt(['rules', i, ...fieldPath(e.field)]) ?? lineAt(['rules', i]));
      throw e;
    }
  });
  return { allowedLatenessMs, rules };
}

function ruleOf(raw: unknown, index: number): RuleSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RuleError(`rules[${index}]`, 'rules', 'each rule is a map of fields, starting with name and kind');
  const rule = raw as Record<string, unknown>;
  const name = typeof rule['name'] === 'string' ? rule['name'] : `rules[${index}]`;
  const kind = rule['kind'] as RuleKind;
  if (!KINDS.includes(kind)) throw new RuleError(name, 'kind', `must be one of ${KINDS.join(', ')}`);
  const allowed = FIELDS[kind];
  for (const key of Object.keys(rule)) {
    if (!allowed.includes(key)) throw new RuleError(name, key, `unknown field for a ${kind} rule; expected one of ${allowed.join(', ')}`);
  }
  const checked: Record<string, unknown> = { ...rule };
  for (const field of ['where', 'expectWhere']) if (rule[field] !== undefined) checked[field] = condition(name, field, rule[field]);
  if (Array.isArray(rule['steps'])) {
    checked['steps'] = (rule['steps'] as unknown[]).map((step, i) => {
      if (typeof step !== 'object' || step === null || Array.isArray(step)) return step;
      const s = step as Record<string, unknown>;
      for (const key of Object.keys(s)) {
        if (!STEP_FIELDS.includes(key)) throw new RuleError(name, `steps[${i}].${key}`, `unknown field of a step; expected one of ${STEP_FIELDS.join(', ')}`);
      }
      return s['where'] === undefined ? s : { ...s, where: condition(name, `steps[${i}].where`, s['where']) };
    });
  }
  return ruleSpec(kind, checked as RawRule);
}

function condition(rule: string, field: string, raw: unknown): unknown {
  try {
    return whereCondition(raw);
  } catch (e) {
    throw new RuleError(rule, field, (e as Error).message);
  }
}

/** `steps[1].where` → `['steps', 1, 'where']`, for the line lookup. */
function fieldPath(field: string): (string | number)[] {
  return field.split(/[.[\]]+/).filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

