import { describe, expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_KEYS, REDACTED } from './redact.js';

describe('createRedactor', () => {
  const redact = createRedactor(DEFAULT_REDACT_KEYS);

  it('masks matching keys at any depth, case- and separator-insensitive', () => {
    const data = {
      user: 'ann',
      Password: 'p',
      nested: { apiKey: 'k', list: [{ 'X-Api-Key': 'k', access_token: 't', ok: 1 }] },
      headers: { Authorization: 'Bearer x', Cookie: 'c' },
      SECRET_VALUE: 's',
    };
    expect(redact(data)).toEqual({
      user: 'ann',
      Password: REDACTED,
      nested: {
        apiKey: REDACTED,
        list: [{ 'X-Api-Key': REDACTED, access_token: REDACTED, ok: 1 }],
      },
      headers: { Authorization: REDACTED, Cookie: REDACTED },
      SECRET_VALUE: REDACTED,
    });
  });

  it('copies into JSON-safe values: cycles, bigint, Error, Date, functions', () => {
    const cyclic: Record<string, unknown> = { n: 10n, when: new Date(0), fn: () => 1 };
    cyclic.self = cyclic;
    cyclic.err = new TypeError('bad');
    const out = redact(cyclic) as Record<string, unknown>;
    expect(out).toMatchObject({
      n: '10',
      when: '1970-01-01T00:00:00.000Z',
      self: '[Circular]',
      err: { name: 'TypeError', message: 'bad' },
    });
    expect(out).not.toHaveProperty('fn');
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('uses the configured list', () => {
    expect(createRedactor(['ssn'])({ ssn: 1, password: 2 })).toEqual({
      ssn: REDACTED,
      password: 2,
    });
  });
});
