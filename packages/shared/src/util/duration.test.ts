import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads a number and a unit', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2D')).toBe(172_800_000);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', '10', 'm', '-5m', '10 minutes', '1e3s']) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });
});
