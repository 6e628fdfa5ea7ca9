import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

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
 * Compares digests, not the strings: both are 32 bytes whatever was sent, so
 * neither an early length check nor the comparison tells a caller how long
 * the token is (issue 10, finding 9).
 */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
