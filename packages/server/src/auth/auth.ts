import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The query parameter that may carry the token (RFC 6750 §2.3). */
export const ACCESS_TOKEN_PARAM = 'access_token';

/**
 * True when no token is configured (the default on the private Docker network),
 * or when the request carries it as `Authorization: Bearer <token>` — or, for
 * people opening the dashboard in a browser, as the password of Basic auth.
 */
export function isAuthorized(
  headers: IncomingHttpHeaders,
  token: string | undefined,
  allowBasic = false,
): boolean {
  if (token === undefined) return true;
  const header = headers.authorization ?? '';
  const [scheme = '', value = ''] = header.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer') return sameSecret(value, token);
  if (allowBasic && scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return sameSecret(decoded.slice(decoded.indexOf(':') + 1), token);
  }
  return false;
}

/**
 * `isAuthorized`, or — when the request has no `Authorization` header — the
 * token as `?access_token=` on its URL (RFC 6750 §2.3): the SDKs' WebSocket
 * clients cannot send headers (docs/product.md#authentication). A header,
 * when sent, decides alone, so a wrong header is not rescued by the URL.
 */
export function isAuthorizedRequest(
  request: { headers: IncomingHttpHeaders; url?: string },
  token: string | undefined,
): boolean {
  if (token === undefined) return true;
  if (request.headers.authorization !== undefined) return isAuthorized(request.headers, token);
  const given = accessTokenOf(request.url ?? '');
  return given !== undefined && sameSecret(given, token);
}

/** `access_token`'s value in a request target (`/mcp?access_token=…`), if present. */
function accessTokenOf(target: string): string | undefined {
  const query = target.indexOf('?');
  if (query === -1) return undefined;
  return new URLSearchParams(target.slice(query + 1)).get(ACCESS_TOKEN_PARAM) ?? undefined;
}

/**
 * `target` (a request's URL) without its `access_token` parameters, so that
 * nothing downstream of the check (the SDK's transport, a handler's
 * `requestInfo`, a log line) ever holds the token.
 */
export function withoutAccessToken(target: string): string {
  const query = target.indexOf('?');
  if (query === -1) return target;
  const params = new URLSearchParams(target.slice(query + 1));
  if (!params.has(ACCESS_TOKEN_PARAM)) return target;
  params.delete(ACCESS_TOKEN_PARAM);
  const rest = params.toString();
  return rest === '' ? target.slice(0, query) : `${target.slice(0, query)}?${rest}`;
}

/**
 * Compares digests, not the strings: both are 32 bytes whatever was sent, so
 * neither an early length check nor the comparison tells a caller how long
 * the token is.
 */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
