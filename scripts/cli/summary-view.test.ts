import { describe, expect, it } from 'vitest';
import type { SummaryReply } from './read-replies.js';
import { formatSummary } from './summary-view.js';

/** Any C0 control but tab and line feed, DEL, or any C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A summary as `logger_summary` returns it. */
const REPLY: SummaryReply = {
  since: '2026-01-02T02:04:05.000Z',
  until: '2026-01-02T03:04:05.000Z',
  total: 112,
  by_component: {
    relay: { ERROR: 3, INFO: 90 },
    fiedler: { WARN: 4, INFO: 10, DEBUG: 5 },
  },
  patterns: [
    {
      pattern: 'request <n> served in <n> ms',
      count: 100,
      first: '2026-01-02T02:05:00.000Z',
      last: '2026-01-02T03:04:00.000Z',
      levels: ['INFO'],
      components: ['relay', 'fiedler'],
      example: 'request 17 served in 12 ms',
      trace_ids: [],
    },
    {
      pattern: 'upstream <id> timed out',
      count: 3,
      first: '2026-01-02T02:05:00.000Z',
      last: '2026-01-02T03:04:00.000Z',
      levels: ['ERROR', 'WARN'],
      components: ['relay'],
      example: 'upstream fiedler timed out',
      trace_ids: ['0b9c5a0e-8a52-4a9e-9f43-3c1f3c7a1d11'],
    },
  ],
};

describe('formatSummary', () => {
  it('prints the span, the counts by component × level with totals, and the top patterns', () => {
    expect(formatSummary(REPLY, { today: '2026-01-02' }).split('\n')).toEqual([
      '112 entries 02:04:05.000 → 03:04:05.000 (UTC)',
      '',
      'component  ERROR  WARN  INFO  DEBUG  total',
      '---------  -----  ----  ----  -----  -----',
      'relay      3      0     90    0      93',
      'fiedler    0      4     10    5      19',
      '(all)      3      4     100   5      112',
      '',
      'top patterns',
      'count  levels      components      pattern',
      '-----  ----------  --------------  ----------------------------',
      '100    INFO        relay, fiedler  request <n> served in <n> ms',
      '3      ERROR,WARN  relay           upstream <id> timed out',
    ]);
  });

  it('says when counts come from a sample, and what the patterns leave out', () => {
    const text = formatSummary(
      {
        ...REPLY,
        source: 'dewey',
        sampled: true,
        sample_size: 50_000,
        other: { patterns: 4, entries: 9 },
        truncated: true,
      },
      { today: '2026-01-03' },
    );
    expect(text.split('\n')[0]).toBe(
      "112 entries 2026-01-02 02:04:05.000 → 2026-01-02 03:04:05.000 (UTC), counted from a sample of 50000 of Dewey's rows",
    );
    expect(text).toContain('(and 9 more entries in 4 more patterns)');
    expect(text).toContain('(patterns left out to fit the reply)');
  });

  it('prints one line when there is nothing to count', () => {
    const empty = { ...REPLY, total: 0, by_component: {}, patterns: [] };
    expect(formatSummary(empty, { today: '2026-01-02' })).toBe(
      '0 entries 02:04:05.000 → 03:04:05.000 (UTC)',
    );
  });

  it('prints nothing a component or pattern holds as a control sequence', () => {
    const hostile = 'x\u001b]0;pwned\u0007\u001b[2J\r\nover\u009b1Ay';
    const text = formatSummary({
      ...REPLY,
      since: hostile,
      by_component: { [hostile]: { ERROR: 1 } },
      patterns: REPLY.patterns.map((pattern) => ({
        ...pattern,
        pattern: hostile,
        components: [hostile],
        levels: [hostile],
      })),
    });
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('x overy');
  });
});
