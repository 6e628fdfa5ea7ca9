import { normalizeUuid } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { clearInputSchema } from './logger-clear.js';
import { queryInputSchema } from './logger-query.js';
import { setLevelInputSchema } from './logger-set-level.js';

function issues(result: {
  success: boolean;
  error?: { issues: { message: string; path: PropertyKey[] }[] };
}) {
  return result.error?.issues.map((i) => `${i.message} at ${i.path.join('.')}`) ?? [];
}

describe('other tool inputs', () => {
  it('bounds the query limit and validates times', () => {
    expect(issues(queryInputSchema.safeParse({ limit: 0 }))).toEqual([
      'must be an integer from 1 to 1000 at limit',
    ]);
    expect(issues(queryInputSchema.safeParse({ limit: 2.5 }))[0]).toContain('at limit');
    expect(issues(queryInputSchema.safeParse({ start_time: 'yesterday' }))).toEqual([
      'must be an ISO-8601 date-time or date (e.g. 2026-11-25T10:00:00Z or 2026-11-25) at start_time',
    ]);
    expect(issues(queryInputSchema.safeParse({ end_time: '2026-02-30' }))[0]).toContain(
      'at end_time',
    );
    expect(queryInputSchema.parse({ level: 'info', start_time: '2026-11-24T00:00:00Z' })).toEqual({
      level: 'INFO',
      start_time: '2026-11-24T00:00:00Z',
    });
  });

  it('reads a date alone as midnight UTC, in every time field', () => {
    expect(queryInputSchema.parse({ start_time: '2026-11-25', end_time: '2026-11-26' })).toEqual({
      start_time: '2026-11-25T00:00:00Z',
      end_time: '2026-11-26T00:00:00Z',
    });
    expect(clearInputSchema.parse({ before_time: '2026-11-25' })).toEqual({
      before_time: '2026-11-25T00:00:00Z',
    });
    expect(issues(clearInputSchema.safeParse({ before_time: '25.11.2026' }))[0]).toContain(
      'at before_time',
    );
  });

  it('requires component and level for set_level', () => {
    expect(issues(setLevelInputSchema.safeParse({}))).toEqual([
      'is required at component',
      'is required at level',
    ]);
  });

  it('normalises UUIDs', () => {
    expect(normalizeUuid('ABCDEF00-0000-4000-8000-000000000000')).toBe(
      'abcdef00-0000-4000-8000-000000000000',
    );
    expect(normalizeUuid('abcdef00-0000-4000-8000-00000000000')).toBeUndefined();
  });
});
