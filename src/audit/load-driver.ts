import { DotbusError } from '../internal.js';

/**
 * The default export of the optional peer `name`, loaded on first use so that `dotbus/audit` works
 * with either database driver installed and never loads the other.
 *
 * @throws {@link DotbusError} (`INVALID_OPTION`) saying what to install when it is missing.
 */
export async function loadDriver<T>(name: string, install: string): Promise<T> {
  try {
    const mod = (await import(name)) as { default?: T };
    return (mod.default ?? mod) as T;
  } catch (e) {
    throw new MissingDriverError(name, install, e);
  }
}

/** An optional database driver is not installed. */
export class MissingDriverError extends DotbusError {
  constructor(name: string, install: string, cause: unknown) {
    super('INVALID_OPTION', `the audit store needs the package ${name}, which is not installed: run \`${install}\``, { cause });
  }
}
