import { describe, expect, it } from 'vitest';
import { keptEntryCount, logJobName, parseLogJobName } from './log-job-name.js';

describe('the log job name, "<n> entries (<b> bytes)"', () => {
  it('is written in the singular for one entry', () => {
    expect(logJobName(1, 120)).toBe('1 entry (120 bytes)');
    expect(logJobName(3, 912)).toBe('3 entries (912 bytes)');
  });

  it('reads back what it wrote', () => {
    for (const [count, bytes] of [
      [1, 0],
      [1, 120],
      [100, 8_388_608],
    ] as const) {
      expect(parseLogJobName(logJobName(count, bytes))).toEqual({ count, bytes });
    }
  });

  it('reads nothing from a name that is not one of ours', () => {
    for (const name of [
      '__default__',
      'log',
      '3 entries',
      '3 entries (x bytes)',
      ' 3 entries (1 bytes)',
    ]) {
      expect(parseLogJobName(name)).toBeUndefined();
    }
  });

  it('keptEntryCount also reads the names of the release before the byte count', () => {
    expect(keptEntryCount('3 entries (912 bytes)')).toBe(3);
    expect(keptEntryCount('1 entry (5 bytes)')).toBe(1);
    expect(keptEntryCount('3 entries')).toBe(3);
    expect(keptEntryCount('__default__')).toBeUndefined();
  });
});
