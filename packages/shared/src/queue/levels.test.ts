import { describe, expect, it } from 'vitest';
import { isAtLeast, levelRank, parseLevel } from './levels.js';

describe('levels', () => {
  it('parses case-insensitively and maps WARNING to WARN', () => {
    expect(parseLevel('info')).toBe('INFO');
    expect(parseLevel(' Error ')).toBe('ERROR');
    expect(parseLevel('warning')).toBe('WARN');
    expect(parseLevel('FATAL')).toBeUndefined();
    expect(parseLevel('')).toBeUndefined();
  });

  it('orders TRACE < DEBUG < INFO < WARN < ERROR', () => {
    expect(['ERROR', 'TRACE', 'WARN', 'DEBUG', 'INFO'].map((l) => levelRank(l as never))).toEqual([
      4, 0, 3, 1, 2,
    ]);
    expect(isAtLeast('WARN', 'INFO')).toBe(true);
    expect(isAtLeast('DEBUG', 'INFO')).toBe(false);
    expect(isAtLeast('INFO', 'INFO')).toBe(true);
  });
});
