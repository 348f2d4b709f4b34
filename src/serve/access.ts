import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** The cookie the page gets once it was opened with `?token=…`, for its own requests (EventSource sends no headers). */
export const TOKEN_COOKIE = 'dotbus_token';
/** The header every state-changing request must carry: a cross-site form or image can't set it, and a cross-site script can't without a CORS preflight the server never answers. */
export const CSRF_HEADER = 'x-dotbus-request';

/**
 * What every response carries: no inline script nor anything from elsewhere (Content-Security-Policy),
 * no framing, no MIME sniffing, no referrer (the URL may hold the token).
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
};

/**
 * With a token: refuses (401) any request without it, given as `Authorization: Bearer <token>`,
 * as the cookie {@link TOKEN_COOKIE}, or once as `?token=<token>` on a page load, which sets the
 * cookie (HttpOnly, SameSite=Strict) and redirects to the same URL without it.
 */
export function requireToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  const matches = (given: string | undefined): boolean => given !== undefined && timingSafeEqual(digest(given), expected);
  return async (c, next) => {
    const query = c.req.query('token');
    if (query !== undefined && c.req.method === 'GET' && matches(query)) {
      setCookie(c, TOKEN_COOKIE, query, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (matches(bearer) || matches(getCookie(c, TOKEN_COOKIE))) return next();
    return c.json({ error: 'this dashboard needs its token: open it as /?token=<token>, or send Authorization: Bearer <token>' }, 401);
  };
}

/**
 * Refuses (403) a state-changing request that may come from another site: it must be a POST with
 * the {@link CSRF_HEADER} header, and when the browser says where it comes from (`Sec-Fetch-Site`,
 * `Origin`), that must be this very origin.
 */
export const sameOriginPosts: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'POST') return next();
  const refusal = crossSiteReason(c);
  if (refusal !== undefined) return c.json({ error: `refused: ${refusal}` }, 403);
  return next();
};

function crossSiteReason(c: Context): string | undefined {
  if (c.req.header(CSRF_HEADER) !== '1') return `a POST needs the header ${CSRF_HEADER}: 1`;
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return `Origin ${origin} is not this server`;
  return undefined;
}

/** Fixed-length digests, so that comparing them takes the same time whatever the guess. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
