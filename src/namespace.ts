/**
 * The namespace rule of the Redis transports, in core because the schema export names the same
 * channels and stream (`dotbus/schema`) and must refuse what the transports refuse.
 */
import { InvalidOptionError } from './errors.js';

/** The namespace both Redis transports use when none is given: channels `dotbus:<type>`, keys `{dotbus}:…`. */
export const DEFAULT_NAMESPACE = 'dotbus';

/** Most characters of a namespace. */
const MAX_NAMESPACE_LENGTH = 200;

/**
 * Printable ASCII without space, `:` and braces. `:` separates namespace and type in a channel
 * name, so namespace `a` would see `a:b`'s channels; braces would break the `{<ns>}` hash tag of
 * the Streams keys; anything outside ASCII can hide one namespace behind another that looks the
 * same (homoglyphs, U+202E).
 */
const NAMESPACE_CHARS = /^[\x21-\x39\x3b-\x7a\x7c\x7e]+$/;

/**
 * Returns `namespace` (or the default) if both Redis transports can use it.
 * @throws {@link InvalidOptionError} otherwise, saying what is allowed.
 */
export function checkNamespace(namespace: string = DEFAULT_NAMESPACE): string {
  if (typeof namespace === 'string' && namespace.length <= MAX_NAMESPACE_LENGTH && NAMESPACE_CHARS.test(namespace)) return namespace;
  throw new InvalidOptionError('namespace', `must be 1–${MAX_NAMESPACE_LENGTH} printable ASCII characters without spaces, \`:\`, \`{\` or \`}\`, e.g. \`orders-prod\``);
}
