import { describe, expect, it } from 'vitest';
import { isAuthorized, isAuthorizedRequest, withoutAccessToken } from './auth.js';

const TOKEN = 's3cret-Token_42';
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('isAuthorized (token compared through sha256 digests)', () => {
  it('accepts everyone when no token is configured', () => {
    expect(isAuthorized({}, undefined)).toBe(true);
    expect(isAuthorized(bearer('anything'), undefined)).toBe(true);
  });

  it('accepts the right bearer token, whatever the case of the scheme', () => {
    expect(isAuthorized(bearer(TOKEN), TOKEN)).toBe(true);
    expect(isAuthorized({ authorization: `bearer ${TOKEN}` }, TOKEN)).toBe(true);
    expect(isAuthorized({ authorization: `BEARER ${TOKEN}` }, TOKEN)).toBe(true);
  });

  it('refuses wrong tokens of every length: empty, shorter, same length, longer, huge', () => {
    const wrong = [
      '',
      's',
      TOKEN.slice(0, -1),
      `${TOKEN.slice(0, -1)}x`,
      `x${TOKEN.slice(1)}`,
      TOKEN.toUpperCase(),
      `${TOKEN}x`,
      `x${TOKEN}`,
      `${TOKEN}${TOKEN}`,
      'x'.repeat(64 * 1024),
    ];
    for (const value of wrong) expect(isAuthorized(bearer(value), TOKEN), value).toBe(false);
  });

  it('refuses a missing header, another scheme, and Basic unless allowed', () => {
    expect(isAuthorized({}, TOKEN)).toBe(false);
    expect(isAuthorized({ authorization: TOKEN }, TOKEN)).toBe(false);
    expect(isAuthorized({ authorization: `Token ${TOKEN}` }, TOKEN)).toBe(false);
    expect(isAuthorized(basic('ops', TOKEN), TOKEN)).toBe(false);
  });

  it('takes the token as the Basic password where allowed (the dashboard in a browser)', () => {
    expect(isAuthorized(basic('ops', TOKEN), TOKEN, true)).toBe(true);
    expect(isAuthorized(basic('', TOKEN), TOKEN, true)).toBe(true);
    expect(isAuthorized(basic('ops', `${TOKEN}x`), TOKEN, true)).toBe(false);
    expect(isAuthorized(basic('ops', ''), TOKEN, true)).toBe(false);
    expect(isAuthorized({ authorization: 'Basic !!!not-base64' }, TOKEN, true)).toBe(false);
  });

  it('compares tokens outside ASCII by their UTF-8 bytes', () => {
    const token = 'pässwörd-🔑';
    expect(isAuthorized(bearer(token), token)).toBe(true);
    expect(isAuthorized(bearer('passwörd-🔑'), token)).toBe(false);
    expect(isAuthorized(bearer('pässwörd-🔒'), token)).toBe(false);
  });
});

describe('isAuthorizedRequest (?access_token= for WebSocket clients)', () => {
  const at = (url: string, headers = {}) => ({ url, headers });

  it('takes the token from ?access_token= when no Authorization header is sent', () => {
    expect(isAuthorizedRequest(at(`/?access_token=${TOKEN}`), TOKEN)).toBe(true);
    expect(
      isAuthorizedRequest(at(`/mcp?a=1&access_token=${encodeURIComponent(TOKEN)}`), TOKEN),
    ).toBe(true);
    expect(
      isAuthorizedRequest(at(`/?access_token=${encodeURIComponent('pässwörd')}`), 'pässwörd'),
    ).toBe(true);
  });

  it('refuses a wrong, empty or missing parameter, and other names', () => {
    for (const url of [
      '/',
      '/?access_token=',
      `/?access_token=${TOKEN}x`,
      `/?token=${TOKEN}`,
      `/access_token=${TOKEN}`,
    ])
      expect(isAuthorizedRequest(at(url), TOKEN), url).toBe(false);
  });

  it('lets a sent header decide alone', () => {
    expect(isAuthorizedRequest(at('/', bearer(TOKEN)), TOKEN)).toBe(true);
    expect(isAuthorizedRequest(at(`/?access_token=${TOKEN}`, bearer('wrong')), TOKEN)).toBe(false);
  });

  it('accepts everyone when no token is configured', () => {
    expect(isAuthorizedRequest(at('/'), undefined)).toBe(true);
  });
});

describe('withoutAccessToken', () => {
  it('drops access_token and keeps every other parameter', () => {
    expect(withoutAccessToken('/mcp?access_token=x')).toBe('/mcp');
    expect(withoutAccessToken('/mcp?a=1&access_token=x&b=2')).toBe('/mcp?a=1&b=2');
    expect(withoutAccessToken('/mcp?a=%20')).toBe('/mcp?a=%20');
    expect(withoutAccessToken('/mcp')).toBe('/mcp');
  });
});
