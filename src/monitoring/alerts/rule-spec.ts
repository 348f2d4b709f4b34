import { parsePattern, type AnyBusEvent } from '../../index.js';
import { groupReader, valueReader } from '../aggregation/field-path.js';
import type { AlertSeverity, RuleKind } from './alert-change.js';
import { durationMs } from './duration.js';
import { RuleError } from './rule-error.js';
import type { ThresholdAggregate } from './rule-options.js';

/** A condition on an event. */
export type EventPredicate = (event: AnyBusEvent) => boolean;

/** What every checked rule holds. */
export interface BaseSpec {
  readonly kind: RuleKind;
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly annotations: Readonly<Record<string, string>>;
  readonly maxGroups: number;
  readonly keepFiringForMs: number;
}

/** A checked threshold rule. */
export interface ThresholdSpec extends BaseSpec {
  readonly kind: 'threshold';
  readonly pattern: string;
  readonly value: string | undefined;
  readonly aggregate: ThresholdAggregate;
  readonly windowMs: number;
  readonly windowType: 'sliding' | 'tumbling' | 'session';
  readonly everyMs: number;
  readonly groupBy: readonly string[];
  readonly where: EventPredicate | undefined;
  readonly direction: 'above' | 'below';
  readonly fireAt: number;
  readonly resolveAt: number;
  /** Whether `resolveBelow` / `resolveAbove` was given: without, an alert resolves as soon as its firing condition no longer holds. */
  readonly hysteresis: boolean;
  readonly forMs: number;
}

/** A checked sequence rule. */
export interface SequenceSpec extends BaseSpec {
  readonly kind: 'sequence';
  readonly steps: readonly { readonly pattern: string; readonly times: number; readonly where: EventPredicate | undefined }[];
  readonly correlate: readonly string[];
  readonly withinMs: number;
}

/** A checked absence rule. */
export interface AbsenceSpec extends BaseSpec {
  readonly kind: 'absence';
  readonly pattern: string;
  readonly expect: string | undefined;
  readonly correlate: readonly string[];
  readonly withinMs: number;
  readonly where: EventPredicate | undefined;
  readonly expectWhere: EventPredicate | undefined;
}

/** A checked anomaly rule. */
export interface AnomalySpec extends BaseSpec {
  readonly kind: 'anomaly';
  readonly pattern: string;
  readonly value: string | ((event: AnyBusEvent) => number | undefined);
  readonly groupBy: readonly string[];
  readonly where: EventPredicate | undefined;
  readonly zScore: number;
  readonly minSamples: number;
  readonly minDeviation: number;
  readonly alpha: number;
  readonly forMs: number;
}

/** Any checked rule. */
export type RuleSpec = ThresholdSpec | SequenceSpec | AbsenceSpec | AnomalySpec;

/** A rule as written (TypeScript options or a rule file entry), before checking. */
export type RawRule = Readonly<Record<string, unknown>>;

const AGGREGATES: readonly ThresholdAggregate[] = ['count', 'rate', 'sum', 'min', 'max', 'mean', 'p50', 'p95', 'p99'];
const SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];
/** Most panes a sliding window is cut into. */
const MAX_STEPS_PER_WINDOW = 1_000;
const MAX_SEQUENCE_STEPS = 32;

/**
 * Checks a rule of `kind` and fills in its defaults.
 * @throws {@link RuleError} naming the rule and the field.
 */
export function ruleSpec(kind: RuleKind, raw: RawRule): RuleSpec {
  const c = new Checker(raw);
  switch (kind) {
    case 'threshold':
      return thresholdSpec(c);
    case 'sequence':
      return sequenceSpec(c);
    case 'absence':
      return absenceSpec(c);
    case 'anomaly':
      return anomalySpec(c);
  }
}

function base(c: Checker, kind: RuleKind): BaseSpec {
  const severity = c.raw['severity'] ?? 'warning';
  if (!SEVERITIES.includes(severity as AlertSeverity)) c.fail('severity', `must be one of ${SEVERITIES.join(', ')}`);
  const annotations = c.raw['annotations'] ?? {};
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations) || !Object.values(annotations).every((v) => typeof v === 'string')) {
    c.fail('annotations', 'must map names to text, e.g. { summary: "…" }');
  }
  return {
    kind,
    name: c.name,
    severity: severity as AlertSeverity,
    annotations: { ...(annotations as Record<string, string>) },
    maxGroups: c.integer('maxGroups', 10_000, 1),
    keepFiringForMs: c.duration('keepFiringFor', 0),
  };
}

function thresholdSpec(c: Checker): ThresholdSpec {
  const value = c.optionalPath('value', 'value');
  const aggregate = (c.raw['aggregate'] ?? (value === undefined ? 'count' : 'mean')) as ThresholdAggregate;
  if (!AGGREGATES.includes(aggregate)) c.fail('aggregate', `must be one of ${AGGREGATES.join(', ')}`);
  if (value === undefined && aggregate !== 'count' && aggregate !== 'rate') c.fail('aggregate', `${aggregate} needs a \`value\` path to read, e.g. value: data.durationMs`);
  const windowType = c.raw['windowType'] ?? 'sliding';
  if (windowType !== 'sliding' && windowType !== 'tumbling' && windowType !== 'session') c.fail('windowType', 'must be sliding, tumbling or session');
  const windowMs = c.duration('window', undefined, 1);
  const everyMs = windowType === 'sliding' ? c.duration('every', defaultStep(windowMs), 1) : windowMs;
  if (windowType !== 'sliding' && c.raw['every'] !== undefined) c.fail('every', 'only sliding windows take a step');
  if (windowMs % everyMs !== 0) c.fail('every', `window (${windowMs} ms) must be a whole multiple of every (${everyMs} ms)`);
  if (windowMs / everyMs > MAX_STEPS_PER_WINDOW) c.fail('every', `window / every must be at most ${MAX_STEPS_PER_WINDOW}: raise every`);
  const above = c.optionalNumber('above');
  const below = c.optionalNumber('below');
  if ((above === undefined) === (below === undefined)) c.fail(above === undefined ? 'above' : 'below', 'give exactly one of `above` and `below`');
  const direction = above !== undefined ? 'above' : 'below';
  const fireAt = (above ?? below)!;
  let resolveAt = fireAt;
  if (direction === 'above') {
    if (c.raw['resolveAbove'] !== undefined) c.fail('resolveAbove', 'goes with `below`; an `above` rule takes `resolveBelow`');
    resolveAt = c.optionalNumber('resolveBelow') ?? fireAt;
    if (resolveAt > fireAt) c.fail('resolveBelow', `must be at most above (${fireAt}), or the alert could never resolve without firing again`);
  } else {
    if (c.raw['resolveBelow'] !== undefined) c.fail('resolveBelow', 'goes with `above`; a `below` rule takes `resolveAbove`');
    resolveAt = c.optionalNumber('resolveAbove') ?? fireAt;
    if (resolveAt < fireAt) c.fail('resolveAbove', `must be at least below (${fireAt})`);
  }
  return {
    ...base(c, 'threshold'),
    kind: 'threshold',
    pattern: c.pattern('pattern'),
    value,
    aggregate,
    windowMs,
    windowType,
    everyMs,
    groupBy: c.paths('groupBy'),
    where: c.predicate('where'),
    direction,
    fireAt,
    resolveAt,
    hysteresis: c.raw[direction === 'above' ? 'resolveBelow' : 'resolveAbove'] !== undefined,
    forMs: c.duration('for', 0),
  };
}

function sequenceSpec(c: Checker): SequenceSpec {
  const steps = c.raw['steps'];
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_SEQUENCE_STEPS) c.fail('steps', `give 1 to ${MAX_SEQUENCE_STEPS} steps, each { pattern, times?, where? }`);
  return {
    ...base(c, 'sequence'),
    kind: 'sequence',
    steps: (steps as unknown[]).map((step, i) => {
      if (typeof step !== 'object' || step === null) c.fail(`steps[${i}]`, 'must be { pattern, times?, where? }');
      const s = new Checker({ ...(step as RawRule), name: c.name }, `steps[${i}].`);
      return { pattern: s.pattern('pattern'), times: s.integer('times', 1, 1), where: s.predicate('where') };
    }),
    correlate: c.paths('correlate'),
    withinMs: c.duration('within', undefined, 1),
  };
}

function absenceSpec(c: Checker): AbsenceSpec {
  const expect = c.raw['expect'] === undefined ? undefined : c.pattern('expect');
  if (expect === undefined && c.raw['expectWhere'] !== undefined) c.fail('expectWhere', 'goes with `expect`');
  return {
    ...base(c, 'absence'),
    kind: 'absence',
    pattern: c.pattern('pattern'),
    expect,
    correlate: c.paths('correlate'),
    withinMs: c.duration('within', undefined, 1),
    where: c.predicate('where'),
    expectWhere: c.predicate('expectWhere'),
  };
}

function anomalySpec(c: Checker): AnomalySpec {
  const raw = c.raw['value'];
  const value = typeof raw === 'function' ? (raw as AnomalySpec['value']) : c.optionalPath('value', 'value');
  if (value === undefined) c.fail('value', 'give the observed number: a path such as data.durationMs');
  const zScore = c.optionalNumber('zScore') ?? 3;
  if (!(zScore > 0)) c.fail('zScore', 'must be > 0');
  const alpha = c.optionalNumber('alpha') ?? 0.05;
  if (!(alpha > 0 && alpha <= 1)) c.fail('alpha', 'must be in (0, 1]');
  const minDeviation = c.optionalNumber('minDeviation') ?? 0;
  if (!(minDeviation >= 0)) c.fail('minDeviation', 'must be ≥ 0');
  return {
    ...base(c, 'anomaly'),
    kind: 'anomaly',
    pattern: c.pattern('pattern'),
    value: value!,
    groupBy: c.paths('groupBy'),
    where: c.predicate('where'),
    zScore,
    minSamples: c.integer('minSamples', 30, 1),
    minDeviation,
    alpha,
    forMs: c.duration('for', 0),
  };
}

/** The default step of a sliding window: a tenth of it, or the largest whole part among ÷5, ÷4, ÷2. */
function defaultStep(windowMs: number): number {
  for (const parts of [10, 5, 4, 2]) if (windowMs % parts === 0) return windowMs / parts;
  return windowMs;
}

/** Reads the fields of one raw rule, failing with its name and the field. */
class Checker {
  readonly name: string;

  constructor(
    readonly raw: RawRule,
    readonly prefix = '',
  ) {
    const name = raw['name'];
    if (typeof name !== 'string' || name.trim() === '') throw new RuleError(typeof name === 'string' ? name : '?', 'name', 'give the rule a non-empty name');
    this.name = name;
  }

  fail(field: string, reason: string): never {
    throw new RuleError(this.name, this.prefix + field, reason);
  }

  duration(field: string, fallback: number | undefined, min = 0): number {
    const raw = this.raw[field];
    if (raw === undefined) {
      if (fallback === undefined) this.fail(field, 'is required: a duration such as 30s, 5m or 1h');
      return fallback;
    }
    const ms = durationMs(raw);
    if (ms === undefined) this.fail(field, `${JSON.stringify(raw)} is no duration; write e.g. 250ms, 30s, 5m, 1h30m or a number of ms`);
    if (ms < min) this.fail(field, `must be at least ${min} ms`);
    return ms;
  }

  integer(field: string, fallback: number, min: number): number {
    const raw = this.raw[field] ?? fallback;
    if (!(typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= min)) this.fail(field, `must be an integer ≥ ${min}`);
    return raw;
  }

  optionalNumber(field: string): number | undefined {
    const raw = this.raw[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) this.fail(field, `${JSON.stringify(raw)} is no finite number`);
    return raw;
  }

  pattern(field: string): string {
    const raw = this.raw[field];
    if (typeof raw !== 'string') this.fail(field, 'give an event pattern, e.g. validation.* or performance.operation.complete');
    try {
      parsePattern(raw);
    } catch (e) {
      this.fail(field, e instanceof Error ? e.message : String(e));
    }
    return raw;
  }

  optionalPath(field: string, role: 'value' | 'groupBy'): string | undefined {
    const raw = this.raw[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') this.fail(field, 'give a field path such as data.durationMs');
    this.#checkPath(field, raw, role);
    return raw;
  }

  paths(field: string): string[] {
    const raw = this.raw[field] ?? [];
    if (!Array.isArray(raw) || !raw.every((p) => typeof p === 'string')) this.fail(field, 'give a list of field paths, e.g. [data.contextId]');
    const paths = raw as string[];
    const labels = new Set<string>();
    for (const p of paths) {
      this.#checkPath(field, p, 'groupBy');
      const label = labelOf(p);
      if (labels.has(label)) this.fail(field, `two paths end in ${JSON.stringify(label)}: labels are the last segment of each path, so they must differ`);
      labels.add(label);
    }
    return paths;
  }

  predicate(field: string): EventPredicate | undefined {
    const raw = this.raw[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'function') this.fail(field, 'must be a function of the event (rule files write conditions, see the README)');
    return raw as EventPredicate;
  }

  #checkPath(field: string, path: string, role: 'value' | 'groupBy'): void {
    try {
      if (role === 'value') valueReader(path);
      else groupReader(path);
    } catch (e) {
      this.fail(field, e instanceof Error ? e.message.replace(/^option `[^`]+`: /, '') : String(e));
    }
    if (!/^(data\.|eventType$|source$)/.test(path)) this.fail(field, `${JSON.stringify(path)}: paths start with data. (or are eventType or source)`);
  }
}

/** The label of a path: its last segment (`data.contextId` → `contextId`). */
export function labelOf(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
