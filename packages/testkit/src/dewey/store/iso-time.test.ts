import { describe, expect, it } from 'vitest';
import { formatIsoMicros, parseIsoMicros } from './iso-time.js';

const at = (iso: string) => Date.parse(iso) * 1000;

describe('parseIsoMicros', () => {
  it('reads what Python fromisoformat reads, naive as UTC', () => {
    expect(parseIsoMicros('2026-11-24T03:35:01Z')).toBe(at('2026-11-24T03:35:01Z'));
    expect(parseIsoMicros('2026-11-24T03:35:01')).toBe(at('2026-11-24T03:35:01Z'));
    expect(parseIsoMicros('2026-11-24 05:35:01+02:00')).toBe(at('2026-11-24T03:35:01Z'));
    expect(parseIsoMicros('2026-11-24T03:35:01.134382Z')).toBe(
      at('2026-11-24T03:35:01.134Z') + 382,
    );
    expect(parseIsoMicros('2026-11-24')).toBe(at('2026-11-24T00:00:00Z'));
    expect(parseIsoMicros('20261124T033501-0130')).toBe(at('2026-11-24T05:05:01Z'));
  });

  it('refuses what Python refuses', () => {
    for (const bad of [
      '',
      'now',
      '2026-13-01',
      '2026-02-30T00:00:00',
      '2026-11-24T25:00',
      '24/11/2026',
    ]) {
      expect(parseIsoMicros(bad)).toBeUndefined();
    }
    expect(parseIsoMicros('2024-02-29T00:00:00')).toBeDefined();
  });
});

describe('formatIsoMicros', () => {
  it('prints like Python isoformat on a UTC datetime', () => {
    expect(formatIsoMicros(at('2026-11-24T03:35:01.134Z'))).toBe(
      '2026-11-24T03:35:01.134000+00:00',
    );
    expect(formatIsoMicros(at('2026-11-24T03:35:01Z'))).toBe('2026-11-24T03:35:01+00:00');
    expect(formatIsoMicros(at('2026-11-24T03:35:01Z') + 7)).toBe(
      '2026-11-24T03:35:01.000007+00:00',
    );
  });
});
