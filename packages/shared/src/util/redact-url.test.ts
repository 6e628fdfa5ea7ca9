import { describe, expect, it } from 'vitest';
import { isSensitiveParam, redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    // Credentials in DEWEY_URL and REDIS_URL.
    ['ws://godot:s3cret@dewey-mcp:9020', 'ws://godot:***@dewey-mcp:9020'],
    ['ws://dewey-mcp:9020/?token=s3cret', 'ws://dewey-mcp:9020/?token=***'],
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['rediss://default:s3cret@redis:6380', 'rediss://default:***@redis:6380'],
    // A user name alone may be a bare token.
    ['https://s3cret@git.example/repo', 'https://***@git.example/repo'],
    // Every sensitive parameter, the others kept as written (encoding too).
    [
      'ws://h:1/mcp?access_token=s3cret&component=a%20b&API-Key=s3cret&x=1',
      'ws://h:1/mcp?access_token=***&component=a%20b&API-Key=***&x=1',
    ],
    ['wss://h/?a=1&auth=s3cret#frag', 'wss://h/?a=1&auth=***#frag'],
    ['https://h/cb#access_token=s3cret&state=9', 'https://h/cb#access_token=***&state=9'],
    // An escaped name is recognised; `;` separates pairs but not a masked value.
    ['ws://h/?%74oken=s3cret', 'ws://h/?%74oken=***'],
    ['ws://h/?a=1;password=s3cret;more', 'ws://h/?a=1;password=***'],
    // `@` in the password and a user info with both.
    ['ws://u:p@ss:w0rd@h:9020/x', 'ws://u:***@h:9020/x'],
    ['ws://u:s3cret@h?token=s3cret', 'ws://u:***@h?token=***'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    'ws://dewey-mcp:9020',
    'ws://dewey-mcp:9020/',
    'redis://127.0.0.1:6379',
    'ws://h/users/@me?component=relay&level=info',
    'ws://@h/',
    '',
    'not a url',
  ])('leaves %j as it was (nothing secret in it)', (input) => {
    expect(redactUrl(input)).toBe(input);
  });

  it('masks input no URL parser accepts, rather than giving up on it', () => {
    // No `//`: the URL parser would read `user:` as the scheme.
    expect(redactUrl('user:s3cret@dewey:9020')).toBe('user:***@dewey:9020');
    // An unescaped `/` in the password ends the authority for a parser.
    expect(redactUrl('ws://u:p/s3cret@h:9020')).toBe('ws://u:***@h:9020');
    expect(redactUrl('ws://[bad::host?token=s3cret%zz')).toBe('ws://[bad::host?token=***');
    expect(redactUrl('?%zztoken=s3cret')).toBe('?%zztoken=***');
  });

  it('is idempotent', () => {
    const once = redactUrl('ws://u:s3cret@h/?token=s3cret');
    expect(redactUrl(once)).toBe(once);
  });
});

describe('isSensitiveParam', () => {
  it.each([
    'token',
    'access_token',
    'refresh_token',
    'auth',
    'authorization',
    'password',
    'passwd',
    'pwd',
    'pass',
    'secret',
    'client_secret',
    'key',
    'api_key',
    'X-Api-Key',
    'apikey',
    'sig',
    'signature',
    'session_id',
    'credentials',
    'cookie',
  ])('%s is sensitive', (name) => {
    expect(isSensitiveParam(name)).toBe(true);
  });

  it.each(['component', 'level', 'limit', 'name', 'db', 'family'])('%s is not', (name) => {
    expect(isSensitiveParam(name)).toBe(false);
  });
});
