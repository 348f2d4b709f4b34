import { InvalidOptionError } from '../errors.js';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The major number of a semantic version, or `undefined` if `version` is not semver. */
export function majorOf(version: string): number | undefined {
  const m = SEMVER.exec(version);
  return m === null ? undefined : Number(m[1]);
}

/** The major number of a definition's version; throws {@link InvalidOptionError} if it isn't semver. */
export function requireMajor(version: string, owner: string): number {
  const major = majorOf(version);
  if (major === undefined) throw new InvalidOptionError('version', `${owner}: ${JSON.stringify(version)} is not a semantic version such as 1.0.0`);
  return major;
}
