import { describe, expect, it } from 'vitest';
import { AllowedOrigins, normalizeOrigin, originForLog } from './allowed-origins.js';

describe('AllowedOrigins', () => {
  it('accepts no Origin (not a browser) and only the origins listed, host case-insensitive', () => {
    const origins = new AllowedOrigins(['https://Dash.example:8443', 'http://localhost:3000/']);
    expect(origins.allows(undefined)).toBe(true);
    expect(origins.allows('https://dash.example:8443')).toBe(true);
    expect(origins.allows('HTTPS://DASH.EXAMPLE:8443')).toBe(true);
    expect(origins.allows('http://localhost:3000')).toBe(true);
    for (const other of [
      'http://dash.example:8443',
      'https://dash.example',
      'https://dash.example:8443.evil.example',
      'https://evil.example',
      'http://localhost:3001',
      'null',
      '',
      'https://dash.example:8443/path',
    ]) {
      expect(origins.allows(other), other).toBe(false);
    }
  });

  it('refuses every browser Origin by default', () => {
    expect(new AllowedOrigins([]).allows('http://127.0.0.1:9060')).toBe(false);
  });

  it('refuses entries that are not origins, naming the entry', () => {
    for (const bad of [
      '*',
      'dash.example',
      'https://dash.example/app',
      'https://u:p@dash.example',
    ]) {
      expect(() => new AllowedOrigins([bad]), bad).toThrow(
        /ALLOWED_ORIGINS: ".*" is not an origin/,
      );
    }
  });
});

describe('normalizeOrigin', () => {
  it('serialises as a browser does: lower case, default port dropped, opaque schemes kept', () => {
    expect(normalizeOrigin('https://Example.COM:443')).toBe('https://example.com');
    expect(normalizeOrigin('http://example.com:8080/')).toBe('http://example.com:8080');
    expect(normalizeOrigin('chrome-extension://AbCdEf')).toBe('chrome-extension://abcdef');
    expect(normalizeOrigin('null')).toBeUndefined();
  });
});

describe('originForLog', () => {
  it('cuts a long Origin and says how long it was', () => {
    expect(originForLog('https://a.example')).toBe('https://a.example');
    const long = `https://${'a'.repeat(5000)}.example`;
    expect(originForLog(long)).toBe(`${long.slice(0, 100)}… (${long.length} chars)`);
  });
});
