import type { ServiceDeclaration } from '../schema/index.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/**
 * The `service` an `--events` module exports, for the operations of `schema export --format
 * asyncapi`; `undefined` when it exports none.
 * @throws {@link CliError} (exit 2) for a `service` of the wrong shape, naming the member.
 */
export function serviceOf(exports: Readonly<Record<string, unknown>>, module: string | undefined): ServiceDeclaration | undefined {
  const value = exports['service'];
  if (value === undefined) return undefined;
  const fail = (what: string): never => {
    throw new CliError(`--events: the \`service\` ${module ?? ''} exports ${what}; export { name, version?, description?, publishes?: string[], subscribes?: string[], transport?: 'pubsub' | 'streams' }`, EXIT_USAGE);
  };
  if (typeof value !== 'object' || value === null) return fail('is not an object');
  const s = value as Record<string, unknown>;
  if (typeof s['name'] !== 'string' || s['name'] === '') fail('has no `name`');
  for (const key of ['version', 'description'] as const) if (s[key] !== undefined && typeof s[key] !== 'string') fail(`has a \`${key}\` that is not a string`);
  for (const key of ['publishes', 'subscribes'] as const) {
    const list = s[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((p) => typeof p === 'string'))) fail(`has a \`${key}\` that is not a list of event types or patterns`);
  }
  if (s['transport'] !== undefined && s['transport'] !== 'pubsub' && s['transport'] !== 'streams') fail("has a `transport` other than 'pubsub' or 'streams'");
  return value as ServiceDeclaration;
}
