/**
 * The one redaction of connection URLs for messages and logs, shared by the Redis transports,
 * `replayEvents` and the `dotbus` command.
 */

/** What stands in for a hidden value. */
const HIDDEN = '***';

/** What a URL that can't be parsed reads as, when not even its host can be told safely. */
export const UNPARSABLE_URL = '<unparsable URL>';

/**
 * Query parameters whose values are shown: everything else (`password`, `pass`, `auth`, `token`,
 * `sentinelPassword`, …) is hidden, so a credential under a name nobody thought of stays hidden too.
 */
const SHOWN_PARAMS: ReadonlySet<string> = new Set(['db', 'family', 'username', 'user', 'name', 'connectionname', 'tls']);

/** `host`, `host:port`, `[v6]` or `[v6]:port`, and nothing else. */
const HOST_PORT = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `url` without its secrets, for a message or a log line: the password of the user-info and the
 * value of every query parameter but a few harmless ones (`db`, `family`, `username`, …) become
 * `***`. A URL that does not parse, or holds a `#` (a Redis URL has no fragment: it is an unencoded
 * `#` of a password, and what follows it may parse as another host), shows its scheme, host and
 * port only when they can be told apart from the credentials for sure, and {@link UNPARSABLE_URL}
 * otherwise.
 *
 * @example `redactUrl('redis://app:s3cret@redis:6379/2?password=x')` → `redis://app:***@redis:6379/2?password=***`
 */
export function redactUrl(url: string): string {
  if (url.includes('#')) return unparsable(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return unparsable(url);
  }
  // Built by hand: URL#toString would percent-encode the stars of the query.
  const user = u.username === '' && u.password === '' ? '' : `${u.username}${u.password === '' ? '' : `:${HIDDEN}`}@`;
  const path = u.pathname === '/' ? '' : u.pathname;
  const query = u.search === '' ? '' : `?${u.search.slice(1).split('&').map(redactParam).join('&')}`;
  return `${u.protocol}//${user}${u.host}${path}${query}`;
}

function redactParam(pair: string): string {
  const eq = pair.indexOf('=');
  if (eq < 0) return pair;
  const key = pair.slice(0, eq);
  let name: string;
  try {
    name = decodeURIComponent(key).toLowerCase();
  } catch {
    name = '';
  }
  return SHOWN_PARAMS.has(name) ? pair : `${key}=${HIDDEN}`;
}

/**
 * Scheme, host and port of a URL that did not parse (or holds a `#`), when they are unambiguous: after the one `@`
 * (credentials before it hold no `?` or `=`, which a query would), or after the scheme when there
 * is no `@` at all.
 */
function unparsable(url: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)?.[0];
  if (scheme === undefined) return UNPARSABLE_URL;
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at >= 0 && /[?=@]/.test(rest.slice(0, at))) return UNPARSABLE_URL;
  const host = rest.slice(at + 1).split(/[/?#]/, 1)[0] ?? '';
  return HOST_PORT.test(host) ? `${scheme.toLowerCase()}${host}` : UNPARSABLE_URL;
}
