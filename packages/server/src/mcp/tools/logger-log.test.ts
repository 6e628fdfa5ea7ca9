import { describe, expect, it } from 'vitest';
import { logInputSchema } from './logger-log.js';

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
