import { describe, expect, it } from 'vitest';
import { canonicalCreatedAt, createdAtMicros } from './read-entry.js';

describe('createdAtMicros', () => {
  it("reads Godot's and Dewey's forms as the same clock", () => {
    const godot = createdAtMicros('2026-11-25T10:00:00.123Z');
    expect(createdAtMicros('2026-11-25T10:00:00.123000')).toBe(godot);
    expect(createdAtMicros('2026-11-25T10:00:00.123456')).toBe(godot + 456);
    expect(createdAtMicros('2026-11-25T10:00:00.123456+00:00')).toBe(godot + 456);
    expect(createdAtMicros('2026-11-25T12:00:00.123+02:00')).toBe(godot);
    expect(createdAtMicros('2026-11-25 10:00:00.123')).toBe(godot);
    expect(godot).toBe(Date.UTC(2026, 10, 25, 10, 0, 0, 123) * 1000);
  });

  it('agrees with Date.parse on canonical times, across minutes and in any order', () => {
    const start = Date.UTC(2026, 11, 31, 23, 58, 59, 990);
    const offsets = [0, 9, 10, 70_000, 11, 120_000, 5, 60_001, 3_600_000 * 24 * 400];
    for (const offset of offsets) {
      const time = new Date(start + offset).toISOString();
      expect(createdAtMicros(time), time).toBe(Date.parse(time) * 1000);
    }
    expect(createdAtMicros('2026-13-01T00:00:00.000Z')).toBeNaN();
  });

  it('is NaN for what is not a time', () => {
    expect(createdAtMicros('soon')).toBeNaN();
    expect(createdAtMicros('')).toBeNaN();
  });
});

describe('canonicalCreatedAt', () => {
  it('writes any form as YYYY-MM-DDTHH:MM:SS.mmmZ, microseconds dropped', () => {
    expect(canonicalCreatedAt('2026-11-25T10:00:00.123Z')).toBe('2026-11-25T10:00:00.123Z');
    expect(canonicalCreatedAt('2026-11-25T10:00:00.123999')).toBe('2026-11-25T10:00:00.123Z');
    expect(canonicalCreatedAt('2026-11-25T00:30:00-01:00')).toBe('2026-11-25T01:30:00.000Z');
    expect(canonicalCreatedAt('2026-11-25')).toBe('2026-11-25T00:00:00.000Z');
  });

  it('keeps what is not a time as it is', () => {
    expect(canonicalCreatedAt('soon')).toBe('soon');
  });
});
