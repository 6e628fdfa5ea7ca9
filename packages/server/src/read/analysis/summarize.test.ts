import type { Level } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import type { ReadEntry } from './read-entry.js';
import { MAX_EXAMPLE_CHARS, type Summary, SummaryBuilder } from './summarize.js';

const TRACE_A = '0b9e4ad6-7a8e-4f7a-9a57-3c1d9c8f1e2a';
const TRACE_B = '9c1f3a2b-0000-4000-8000-00000000abcd';

function entry(
  message: string,
  created_at: string,
  fields: Partial<Omit<ReadEntry, 'message' | 'created_at'>> = {},
): ReadEntry {
  return {
    component: 'weather-mcp',
    level: 'INFO',
    trace_id: null,
    data: null,
    ...fields,
    message,
    created_at,
  };
}

function summarize(entries: ReadEntry[], options?: Parameters<SummaryBuilder['result']>[0]) {
  const builder = new SummaryBuilder();
  for (const one of entries) builder.add(one);
  return builder.result(options);
}

/** What every summary satisfies: its counts add up. */
function checkTotals(summary: Summary): void {
  const listed = summary.patterns.reduce((sum, pattern) => sum + pattern.count, 0);
  expect(listed + summary.other.entries).toBe(summary.total);
  const byLevel = Object.values(summary.by_level).reduce((sum, count) => sum + count, 0);
  expect(byLevel).toBe(summary.total);
}

describe('SummaryBuilder', () => {
  it('counts by level and component and groups messages into patterns', () => {
    const summary = summarize([
      entry('Tool "forecast" took 12ms', '2026-12-04T18:19:21.100Z', { trace_id: TRACE_A }),
      entry('Tool "alerts" took 1530ms', '2026-12-04T18:19:22.200Z', {
        level: 'WARN',
        component: 'alerts-mcp',
        trace_id: TRACE_B,
      }),
      entry('Tool "forecast" took 7ms', '2026-12-04T18:19:20.000Z', { trace_id: TRACE_A }),
      entry('Redis connection lost', '2026-12-04T18:19:23.000Z', { level: 'ERROR' }),
    ]);
    checkTotals(summary);
    expect(summary).toEqual({
      total: 4,
      by_component: {
        'weather-mcp': { ERROR: 1, INFO: 2 },
        'alerts-mcp': { WARN: 1 },
      },
      by_level: { ERROR: 1, WARN: 1, INFO: 2 },
      patterns: [
        {
          pattern: 'Tool "<str>" took <n>ms',
          count: 3,
          first: '2026-12-04T18:19:20.000Z',
          last: '2026-12-04T18:19:22.200Z',
          levels: ['WARN', 'INFO'],
          components: ['weather-mcp', 'alerts-mcp'],
          example: 'Tool "forecast" took 7ms',
          trace_ids: [TRACE_A, TRACE_B],
        },
        {
          pattern: 'Redis connection lost',
          count: 1,
          first: '2026-12-04T18:19:23.000Z',
          last: '2026-12-04T18:19:23.000Z',
          levels: ['ERROR'],
          components: ['weather-mcp'],
          example: 'Redis connection lost',
          trace_ids: [],
        },
      ],
      other: { patterns: 0, entries: 0, untracked: 0, untracked_components: 0 },
    });
  });

  it('finds first and last as instants, whatever the order and the form of created_at', () => {
    const times = [
      '2026-11-25T10:00:00.500Z',
      '2026-11-25T10:00:00.123456', // Dewey: no zone, microseconds
      '2026-11-25T10:00:00.123400', // 0.056 ms earlier
      '2026-11-25T11:00:01.000+01:00', // 10:00:01 UTC
      'not a time',
    ];
    for (const order of [times, [...times].reverse()]) {
      const [pattern] = summarize(order.map((time) => entry('tick', time))).patterns;
      expect(pattern).toMatchObject({
        count: 5,
        first: '2026-11-25T10:00:00.123400',
        last: '2026-11-25T11:00:01.000+01:00',
      });
    }
  });

  it('keeps up to three distinct trace ids, ten components, and a cut example', () => {
    const builder = new SummaryBuilder();
    const long = `failure ${'é'.repeat(MAX_EXAMPLE_CHARS)}`;
    for (let index = 0; index < 20; index++) {
      builder.add(
        entry(long, '2026-12-04T18:00:00.000Z', {
          component: `mcp-${String.fromCharCode(97 + index)}`,
          trace_id: `00000000-0000-4000-8000-00000000000${index % 5}`,
        }),
      );
    }
    const [pattern] = builder.result().patterns;
    expect(pattern?.trace_ids).toEqual([
      '00000000-0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
    expect(pattern?.components).toHaveLength(10);
    expect(pattern?.example).toHaveLength(MAX_EXAMPLE_CHARS);
    expect(pattern?.example.endsWith('é…')).toBe(true);
  });

  it('ranks by count, then the most severe level, then the latest entry', () => {
    const summary = summarize([
      entry('alpha', '2026-12-04T18:00:01.000Z'),
      entry('beta', '2026-12-04T18:00:02.000Z'),
      entry('gamma', '2026-12-04T18:00:00.000Z', { level: 'WARN' }),
      entry('delta', '2026-12-04T18:00:00.000Z'),
      entry('delta', '2026-12-04T18:00:00.000Z'),
    ]);
    expect(summary.patterns.map((pattern) => pattern.pattern)).toEqual([
      'delta',
      'gamma',
      'beta',
      'alpha',
    ]);
  });

  it('keeps at least half of the places for WARN and ERROR patterns', () => {
    const entries: ReadEntry[] = [];
    for (let kind = 0; kind < 30; kind++) {
      for (let index = 0; index < 100; index++) {
        entries.push(entry(`chatty kind-${'x'.repeat(kind)} step`, '2026-12-04T18:00:00.000Z'));
      }
    }
    const errors: [string, Level][] = [
      ['upstream refused', 'ERROR'],
      ['slow upstream', 'WARN'],
      ['cache miss storm', 'WARN'],
    ];
    for (const [message, level] of errors)
      entries.push(entry(message, '2026-12-04T18:00:00.000Z', { level }));
    const summary = summarize(entries, { top: 4 });
    checkTotals(summary);
    expect(summary.patterns.map((pattern) => pattern.count)).toEqual([100, 100, 1, 1]);
    expect(summary.patterns.slice(2).map((pattern) => pattern.pattern)).toEqual([
      'upstream refused',
      // WARN ties: the latest wins, then the text, so the order is stable.
      'cache miss storm',
    ]);
    expect(summary.other).toMatchObject({ patterns: 29, entries: 2801 });
    // With few severe patterns, the others fill the remaining places.
    expect(summarize(entries, { top: 10 }).patterns).toHaveLength(10);
    // minLevel lists only patterns with an entry at that level or above.
    const severe = summarize(entries, { top: 10, minLevel: 'WARN' });
    checkTotals(severe);
    expect(severe.patterns.map((pattern) => pattern.pattern)).toEqual([
      'upstream refused',
      'cache miss storm',
      'slow upstream',
    ]);
    expect(severe.total).toBe(3003);
  });

  it('bounds the patterns tracked, keeping room for errors, and counts the rest', () => {
    const builder = new SummaryBuilder({ maxPatterns: 10 });
    for (let index = 0; index < 50; index++) {
      builder.add(entry(`noise kind-${'x'.repeat(index)}`, '2026-12-04T18:00:00.000Z'));
    }
    builder.add(entry('disk full', '2026-12-04T18:00:01.000Z', { level: 'ERROR' }));
    builder.add(entry('disk full', '2026-12-04T18:00:02.000Z', { level: 'ERROR' }));
    const summary = builder.result({ top: 100 });
    checkTotals(summary);
    // 8 mild patterns (10 less the fifth kept for WARN/ERROR), then the error.
    expect(summary.patterns).toHaveLength(9);
    expect(summary.patterns[0]).toMatchObject({ pattern: 'disk full', count: 2 });
    expect(summary.other).toEqual({
      patterns: 0,
      entries: 42,
      untracked: 42,
      untracked_components: 0,
    });
    expect(summary.total).toBe(52);
  });

  it('bounds the components counted, and takes any name as a key', () => {
    const builder = new SummaryBuilder({ maxComponents: 2 });
    for (const component of ['__proto__', 'constructor', 'third', 'fourth']) {
      builder.add(entry('x', '2026-12-04T18:00:00.000Z', { component }));
    }
    const summary = builder.result();
    expect(Object.keys(summary.by_component)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(summary.by_component, '__proto__')?.value).toEqual({
      INFO: 1,
    });
    expect(Object.getPrototypeOf(summary.by_component)).toBe(Object.prototype);
    expect(summary.other.untracked_components).toBe(2);
    expect(summary.by_level).toEqual({ INFO: 4 });
  });

  it('gives the same result when asked twice, and keeps counting after', () => {
    const builder = new SummaryBuilder();
    builder.add(entry('a 1', '2026-12-04T18:00:00.000Z'));
    const once = builder.result();
    expect(builder.result()).toEqual(once);
    builder.add(entry('a 2', '2026-12-04T18:00:01.000Z'));
    expect(builder.result().patterns[0]).toMatchObject({ pattern: 'a <n>', count: 2 });
    expect(once.patterns[0]?.count).toBe(1);
    expect(builder.result({ top: 0 })).toMatchObject({
      patterns: [],
      other: { patterns: 1, entries: 2 },
    });
  });
});
