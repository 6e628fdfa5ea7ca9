/** What replaces a masked password, user name or parameter value. */
const REDACTED = '***';

/**
 * Query (and fragment) parameters whose values `redactUrl` masks. A name is
 * compared in lower case with `-`, `_` and `.` removed, so `access_token`,
 * `X-Api-Key` and `clientSecret` all match. It is sensitive when it
 * - contains `token`, `secret`, `passw`, `auth`, `credential`, `session`,
 *   `cookie` or `signature` (access_token, auth, authorization, password,
 *   client_secret, session_id…),
 * - ends in `key`, `pwd` or `sig` (key, api_key, x-api-key, private_key, sig),
 * - or is `pass` or `pw`.
 * Masking a harmless parameter (`monkey=`) costs a little readability;
 * missing a secret leaks it, so the match is broad on purpose.
 */
export function isSensitiveParam(name: string): boolean {
  const flat = name.toLowerCase().replace(/[-_.]/g, '');
  return (
    SENSITIVE_PARTS.some((part) => flat.includes(part)) ||
    SENSITIVE_ENDINGS.some((ending) => flat.endsWith(ending)) ||
    flat === 'pass' ||
    flat === 'pw'
  );
}

const SENSITIVE_PARTS = [
  'token',
  'secret',
  'passw',
  'auth',
  'credential',
  'session',
  'cookie',
  'signature',
];
const SENSITIVE_ENDINGS = ['key', 'pwd', 'sig'];

/** `scheme:` and `//`, each optional. */
const PREFIX = /^(?:[a-z][a-z0-9+.-]*:)?(?:\/\/)?/i;

/**
 * `url` safe to put in a log line, an error or a tool reply: the password of
 * its user info becomes `***` (`ws://user:***@dewey:9020`,
 * `redis://:***@127.0.0.1:6379`), a user name given without a password is
 * masked whole (it may be a bare token, as in `https://<token>@host`), and
 * the value of every sensitive query or fragment parameter (`isSensitiveParam`)
 * becomes `***` (`?token=***&component=relay`).
 *
 * Works on the text rather than re-serialising a `URL`, so it never throws
 * and keeps the rest of the input as written. The user info is everything
 * before the last `@` of the authority, which ends at the first `/`, `?` or
 * `#` — at least what a WHATWG parser reads as user info. Input that does not
 * parse as a URL (`user:secret@dewey:9020`, `ws://u:p/ss@host`) is masked up
 * to the last `@` before any `?` or `#`: more may be hidden, nothing leaks.
 * Secrets inside the path are not recognised. A `URL` is read as its `href`.
 *
 * The one redaction of URLs in Godot: the transports' connect errors, the
 * Dewey connection's logs and the CLI all go through it.
 */
export function redactUrl(url: string | URL): string {
  const text = String(url);
  const prefix = PREFIX.exec(text)?.[0] ?? '';
  const afterPrefix = text.slice(prefix.length);
  const authorityEnd = firstOf(afterPrefix, URL.canParse(text) ? '/?#' : '?#', 0);
  const authority = afterPrefix.slice(0, authorityEnd);
  return `${prefix}${redactUserInfo(authority)}${redactParams(afterPrefix.slice(authorityEnd))}`;
}

function redactUserInfo(authority: string): string {
  const at = authority.lastIndexOf('@');
  if (at <= 0) return authority; // No user info, or an empty one (`ws://@host`).
  const userInfo = authority.slice(0, at);
  const colon = userInfo.indexOf(':');
  const masked = colon === -1 ? REDACTED : `${userInfo.slice(0, colon)}:${REDACTED}`;
  return `${masked}${authority.slice(at)}`;
}

/**
 * Masks the values of sensitive `name=value` pairs after the first `?` or
 * `#`. Pairs are found after any of `? # & ;`, but a masked value runs to the
 * next `&` or `#`, so `?token=a;b` hides `a;b` whole.
 */
function redactParams(rest: string): string {
  let at = firstOf(rest, '?#', 0);
  let out = rest.slice(0, at);
  while (at < rest.length) {
    // rest[at] is a separator; a parameter name may follow.
    const nameEnd = firstOf(rest, '=&;#?', at + 1);
    if (rest[nameEnd] === '=' && isSensitiveParam(decode(rest.slice(at + 1, nameEnd)))) {
      const valueEnd = firstOf(rest, '&#', nameEnd + 1);
      out += rest.slice(at, nameEnd + 1) + (valueEnd > nameEnd + 1 ? REDACTED : '');
      at = valueEnd;
    } else {
      const next = firstOf(rest, '?#&;', at + 1);
      out += rest.slice(at, next);
      at = next;
    }
  }
  return out;
}

/** Index of the first of `chars` in `text` at or after `from`; `text.length` if none. */
function firstOf(text: string, chars: string, from: number): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i] as string)) return i;
  return text.length;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return component; // A malformed %-escape: compare the raw text.
  }
}
