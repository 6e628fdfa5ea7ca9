import { normalizeUuid } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import {
  clearInputSchema,
  logInputSchema,
  queryInputSchema,
  setLevelInputSchema,
} from './tool-inputs.js';

function issues(result: {
  success: boolean;
  error?: { issues: { message: string; path: PropertyKey[] }[] };
}) {
  return result.error?.issues.map((i) => `${i.message} at ${i.path.join('.')}`) ?? [];
}

describe('logger_log input', () => {
  it("accepts what today's clients send and normalises it", () => {
    const parsed = logInputSchema.parse({
      component: '  relay ',
      level: 'warning',
      message: 'hi',
      trace_id: '0123456789ABCDEF0123456789ABCDEF',
      data: null,
    });
    expect(parsed).toEqual({
      component: 'relay',
      level: 'WARN',
      message: 'hi',
      trace_id: '01234567-89ab-cdef-0123-456789abcdef',
      data: null,
    });
    expect(
      logInputSchema.parse({ component: 'c', level: 'debug', message: '', trace_id: null }),
    ).toMatchObject({
      trace_id: null,
    });
  });

  it.each([
    [{ level: 'INFO', message: 'm' }, 'is required at component'],
    [{ component: '   ', level: 'INFO', message: 'm' }, 'must not be empty at component'],
    [
      { component: 'x'.repeat(129), level: 'INFO', message: 'm' },
      'must be at most 128 characters at component',
    ],
    [{ component: 7, level: 'INFO', message: 'm' }, 'must be a string at component'],
    [
      { component: 'c', level: 'FATAL', message: 'm' },
      'must be one of TRACE, DEBUG, INFO, WARN, ERROR',
    ],
    [{ component: 'c', message: 'm' }, 'is required at level'],
    [{ component: 'c', level: 'INFO' }, 'is required at message'],
    [{ component: 'c', level: 'INFO', message: 1 }, 'must be a string at message'],
    [
      { component: 'c', level: 'INFO', message: 'm', trace_id: 'abc' },
      'must be a UUID (dashed or 32 hex digits) at trace_id',
    ],
    [
      { component: 'c', level: 'INFO', message: 'm', trace_id: 5 },
      'must be a UUID string or null at trace_id',
    ],
    [
      { component: 'c', level: 'INFO', message: 'm', data: [1] },
      'must be a JSON object or null at data',
    ],
    [
      { component: 'c', level: 'INFO', message: 'm', data: 'text' },
      'must be a JSON object or null at data',
    ],
  ])('refuses %j naming the field', (input, expected) => {
    const result = logInputSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(issues(result).join('\n')).toContain(expected);
  });
});

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
