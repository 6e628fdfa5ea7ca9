import { describe, expect, it } from 'vitest';
import { dataPreview, formatLine, formatLines } from './lines-format.js';
import type { ReadEntry } from './read-entry.js';

const TRACE = '0b9e4ad6-7a8e-4f7a-9a57-3c1d9c8f1e2a';

function entry(fields: Partial<ReadEntry> = {}): ReadEntry {
  return {
    component: 'weather-mcp',
    level: 'ERROR',
    message: 'Tool "forecast" failed',
    trace_id: TRACE,
    data: { code: -32001, retry: false },
    created_at: '2026-12-04T18:19:21.123Z',
    ...fields,
  };
}

describe('formatLine', () => {
  it('writes one compact line', () => {
    expect(formatLine(entry())).toBe(
      '18:19:21.123 ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed {"code":-32001,"retry":false}',
    );
    expect(
      formatLine(entry({ level: 'INFO', trace_id: null, data: null }), { fullTime: true }),
    ).toBe('2026-12-04T18:19:21.123Z INFO  weather-mcp - Tool "forecast" failed');
  });

  it("reads Dewey's times as UTC, to the millisecond, and keeps what is not a time", () => {
    expect(
      formatLine(entry({ created_at: '2026-11-25T10:00:00.123456' }), { fullTime: true }),
    ).toMatch(/^2026-11-25T10:00:00\.123Z ERROR/);
    expect(formatLine(entry({ created_at: '2026-11-25T12:00:00.5+02:00' }))).toMatch(
      /^10:00:00\.500 ERROR/,
    );
    expect(formatLine(entry({ created_at: 'yesterday\nnoon' }))).toMatch(/^yesterday noon ERROR/);
  });

  it('keeps a line one line whatever the message and data hold', () => {
    const line = formatLine(
      entry({
        component: 'bad\ncomponent',
        message: 'first\r\nsecond\u0007\u0085third\u2028fourth \u001b[31mred\u001b[0m 😀 ünïcödé',
        data: { text: 'a\nb\u0085c\u2029d\u001b[1;32mgreen', nested: ['\u0000'] },
      }),
    );
    expect(line.split('\n')).toHaveLength(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(line).toBe(
      '18:19:21.123 ERROR bad component 0b9e4ad6 first second third fourth red 😀 ünïcödé ' +
        '{"text":"a\\nb c dgreen","nested":["\\u0000"]}',
    );
  });

  it('cuts the data preview and the message, marked with …', () => {
    const line = formatLine(
      entry({ message: 'm'.repeat(50), data: { blob: 'x'.repeat(10_000) } }),
      { dataPreviewChars: 20, messageChars: 10 },
    );
    expect(line).toBe('18:19:21.123 ERROR weather-mcp 0b9e4ad6 mmmmmmmmm… {"blob":"xxxxxxxxxx…');
  });
});

describe('dataPreview', () => {
  it('is the compact JSON when it fits', () => {
    const data = { a: [1, 'two', null, true, { b: 2.5 }], 'é"\\': 'ü' };
    expect(dataPreview(data, 1000)).toBe(JSON.stringify(data));
  });

  it('is at most the limit, … included, without splitting a surrogate pair', () => {
    const data = { list: Array.from({ length: 1000 }, (_, index) => ({ index, emoji: '😀😀' })) };
    for (const max of [1, 2, 10, 33, 120, 500]) {
      const preview = dataPreview(data, max);
      expect(preview.length).toBeLessThanOrEqual(max);
      expect(preview.endsWith('…')).toBe(true);
      expect(preview).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      expect(JSON.stringify(data).startsWith(preview.slice(0, -1))).toBe(true);
    }
  });

  it('stops at deep nesting', () => {
    let deep: unknown = 'bottom';
    for (let depth = 0; depth < 10_000; depth++) deep = [deep];
    expect(dataPreview(deep, 100_000)).toBe(`${'['.repeat(32)}…`);
  });
});

describe('formatLines', () => {
  it('says a shared date once, in a header', () => {
    const text = formatLines([
      entry({ created_at: '2026-12-04T18:19:21.123Z', data: null }),
      entry({ created_at: '2026-12-04T23:59:59.999Z', level: 'WARN', trace_id: null, data: null }),
    ]);
    expect(text).toBe(
      [
        '# 2026-12-04 (UTC)',
        '18:19:21.123 ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed',
        '23:59:59.999 WARN  weather-mcp - Tool "forecast" failed',
      ].join('\n'),
    );
  });

  it('writes full times, without a header, across dates or when asked', () => {
    const entries = [
      entry({ created_at: '2026-12-04T23:59:59.999Z', data: null }),
      entry({ created_at: '2026-12-05T00:00:00.000Z', data: null }),
    ];
    const lines = formatLines(entries).split('\n');
    expect(lines).toEqual([
      '2026-12-04T23:59:59.999Z ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed',
      '2026-12-05T00:00:00.000Z ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed',
    ]);
    expect(formatLines(entries.slice(0, 1), { fullTime: true })).toBe(lines[0]);
    expect(formatLines([])).toBe('');
  });
});
