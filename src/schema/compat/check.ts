import { InvalidOptionError } from '../../internal.js';
import type { AnyEventDefinition } from '../../index.js';
import type { ReadExport } from '../export-files.js';
import { registryOf } from '../json-schema-export.js';
import { isObject, plainSchema } from '../json-schema.js';
import { isCompatibilityMode, modeParts, type CompatibilityDirection, type CompatibilityMode } from './modes.js';
import { readerIssues, type SchemaRule } from './rules.js';
import { compareVersions, majorOf } from './semver-order.js';

/** A rule of {@link SchemaRule}, or one about versions: a type removed, a major without upcasters, a major readers don't know. */
export type CompatibilityRule = SchemaRule | 'event-removed' | 'upcaster-missing' | 'major-changed';

/** One change between a previous version of an event type and the current definition. */
export interface SchemaChange {
  readonly eventType: string;
  readonly rule: CompatibilityRule;
  /** JSON pointer into the exported file of the event type (data is under `/properties/data`). */
  readonly pointer: string;
  /** The previous version compared. */
  readonly previous: string;
  /** The current version; `undefined` when the type has no definition any more. */
  readonly current: string | undefined;
  /** `backward`: consumers on the current version can't read old events; `forward`: old consumers can't read new events. */
  readonly direction: CompatibilityDirection;
  /** Who breaks: `readers` (backward: the new definition reading old events) or `writers` (forward: the new definition writing events old readers refuse). */
  readonly breaks: 'readers' | 'writers';
  /** Why, in one sentence. */
  readonly message: string;
  /** `true` when a new major with upcasters from the previous one accepts the change (backward only). */
  readonly accepted: boolean;
}

/** What {@link checkCompatibility} found. */
export interface CompatibilityReport {
  readonly mode: CompatibilityMode;
  /** `true` when no change breaks the mode (accepted changes don't). */
  readonly compatible: boolean;
  /** Every change found, breaking and accepted, by event type and version. */
  readonly changes: readonly SchemaChange[];
  /** How many (event type, previous version) pairs were compared. */
  readonly compared: number;
}

/** Options of {@link checkCompatibility}. */
export interface CompatibilityOptions {
  /** @default `backward` */
  readonly mode?: CompatibilityMode;
}

const DATA = '/properties/data';

/**
 * Compares the current definitions with previous exports, as a schema registry does.
 *
 * @remarks Data schemas are compared by the rules of {@link SchemaRule}; the envelope is
 * dotbus's and the same for every version. Across majors the data is not compared as such:
 * backward, consumers on the new major read old events only through upcasters, so without an
 * upcaster from each older major the change is `upcaster-missing`, and with them every schema
 * change is listed as `accepted`; forward, consumers on an older major refuse events of a newer
 * one (`unsupported-version`), so a new major is `major-changed` whatever its upcasters. Types
 * present before but without a definition now are `event-removed` (backward). Non-transitive
 * modes compare each type with its latest previous version among `previous`; transitive ones
 * with every one.
 * @param definitions - the current definitions (the built-in ones are always included)
 * @param previous - exports read with `readSchemaExport`, oldest or newest first alike
 * @throws {@link InvalidOptionError} for an unknown mode or an export whose file lacks `data`.
 */
export function checkCompatibility(definitions: Iterable<AnyEventDefinition>, previous: readonly ReadExport[], options: CompatibilityOptions = {}): CompatibilityReport {
  const mode = options.mode ?? 'backward';
  if (!isCompatibilityMode(mode)) throw new InvalidOptionError('mode', `must be one of backward, forward, full and their -transitive forms, not ${JSON.stringify(mode)}`);
  const { directions, transitive } = modeParts(mode);
  const registry = registryOf(definitions);
  const changes: SchemaChange[] = [];
  let compared = 0;
  for (const [type, versions] of previousVersions(previous)) {
    const chosen = transitive ? versions : versions.slice(-1);
    for (const old of chosen) {
      compared++;
      const definition = registry.get(type);
      for (const direction of directions) changes.push(...changesOf(type, old, definition, direction));
    }
  }
  return { mode, compatible: changes.every((c) => c.accepted), changes, compared };
}

interface OldVersion {
  readonly version: string;
  readonly data: unknown;
  readonly file: string;
}

/** Each type's previous versions, oldest first, one per distinct version (the last export read wins). */
function previousVersions(exports: readonly ReadExport[]): Map<string, OldVersion[]> {
  const byType = new Map<string, Map<string, OldVersion>>();
  for (const exported of exports) {
    for (const entry of exported.index.events) {
      const schema = exported.schemas.get(entry.type);
      const properties = schema?.['properties'];
      if (!isObject(properties) || !('data' in properties)) {
        throw new InvalidOptionError('against', `${entry.file} of ${exported.path} has no ${DATA}; is it a dotbus schema export?`);
      }
      const versions = byType.get(entry.type) ?? new Map<string, OldVersion>();
      versions.set(entry.version, { version: entry.version, data: properties['data'], file: entry.file });
      byType.set(entry.type, versions);
    }
  }
  return new Map([...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, v]) => [t, [...v.values()].sort((a, b) => compareVersions(a.version, b.version))]));
}

function changesOf(type: string, old: OldVersion, definition: AnyEventDefinition | undefined, direction: CompatibilityDirection): SchemaChange[] {
  const breaks = direction === 'backward' ? 'readers' : 'writers';
  const base = { eventType: type, previous: old.version, direction, breaks } as const;
  if (definition === undefined) {
    if (direction === 'forward') return [];
    return [{ ...base, rule: 'event-removed', pointer: '', current: undefined, accepted: false, message: `breaks readers: ${type} has no definition any more, so consumers refuse the ${old.version} events still in streams and in flight (unknown-type); keep its definition, or check with --events naming it` }];
  }
  const current = definition.version;
  const oldMajor = majorOf(old.version) ?? -1;
  const change = (rule: CompatibilityRule, pointer: string, message: string, accepted = false): SchemaChange => ({ ...base, rule, pointer, current, message, accepted });
  const newer = direction === 'backward' ? { reader: current, writer: old.version } : { reader: old.version, writer: current };
  const diff = readerIssues(direction === 'backward' ? plainSchema(definition.schema) : old.data, direction === 'backward' ? old.data : plainSchema(definition.schema), DATA, newer);
  const why = (detail: string): string =>
    direction === 'backward'
      ? `breaks readers: consumers on ${current} refuse events written under ${old.version}: ${detail}`
      : `breaks writers: events written under ${current} are refused by consumers on ${old.version}: ${detail}`;
  if (oldMajor === definition.major) return diff.map((i) => change(i.rule, i.pointer, why(i.detail)));
  if (direction === 'forward' || oldMajor > definition.major) {
    const [reader, writer] = direction === 'forward' ? [old.version, current] : [current, old.version];
    return [change('major-changed', '', `breaks ${breaks}: consumers on ${reader} refuse events of ${writer}, a newer major (unsupported-version); upgrade consumers before producers, or keep major ${majorOf(reader)}`)];
  }
  const missing: number[] = [];
  for (let m = oldMajor; m < definition.major; m++) if (definition.upcasters[m] === undefined) missing.push(m);
  if (missing.length > 0) {
    return [change('upcaster-missing', '', `breaks readers: consumers on ${current} refuse events of ${old.version} (unsupported-version) without an upcaster from major ${missing.join(', ')}; add \`upcasters: { ${missing.map((m) => `${m}: …`).join(', ')} }\` to ${definition.name}`)];
  }
  return diff.map((i) => change(i.rule, i.pointer, `accepted: major ${definition.major} upcasts ${old.version} events before reading them (${i.detail})`, true));
}
