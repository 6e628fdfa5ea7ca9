import { describe, expect, it } from 'vitest';
import {
  colorEnabled,
  createdAtMicros,
  cut,
  DATA_PREVIEW_CHARS,
  displayTime,
  formatEntryLine,
} from './entry-line.js';
import type { ReadEntry } from './read-replies.js';

/** Any C0 control but tab and line feed, DEL, or any C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const entry = (over: Partial<ReadEntry> = {}): ReadEntry => ({
  component: 'weather-mcp',
  level: 'ERROR',
  message: 'Tool "forecast" failed',
  trace_id: '0b9e4ad6-8a52-4a9e-9f43-3c1f3c7a1d11',
  data: { code: -32001 },
  created_at: '2026-12-04T18:19:21.123Z',
  ...over,
});

describe('formatEntryLine', () => {
  it('writes time of day, level, component, short trace id, message and data on one line', () => {
    expect(formatEntryLine(entry(), { today: '2026-12-04' })).toBe(
      '18:19:21.123 ERROR weather-mcp 0b9e4ad6 Tool "forecast" failed {"code":-32001}',
    );
  });

  it('shows the date of an entry from another day, - without a trace id, nothing without data', () => {
    const line = formatEntryLine(entry({ level: 'INFO', trace_id: null, data: null }), {
      today: '2026-12-05',
    });
    expect(line).toBe('2026-12-04 18:19:21.123 INFO  weather-mcp - Tool "forecast" failed');
  });

  it('cuts the data to DATA_PREVIEW_CHARS with …', () => {
    const line = formatEntryLine(entry({ data: { blob: 'x'.repeat(1000) } }), {
      today: '2026-12-04',
    });
    const data = line.slice(line.indexOf('{'));
    expect(data).toHaveLength(DATA_PREVIEW_CHARS);
    expect(data.endsWith('x…')).toBe(true);
  });

  it('prints nothing an entry holds as a control sequence, and keeps to one line', () => {
    const line = formatEntryLine(
      entry({
        component: 'relay\u001b[1A',
        message: 'before\u001b]0;pwned\u0007\u001b[2J\r\nsecond line\u2028third\u009b31m after',
        trace_id: '\u001b[31mabcdefgh-rest',
        data: { clip: '\u001b]52;c;ZXZpbA==\u0007', c1: '\u009b2J', line: 'a\u2028b' },
      }),
      { today: '2026-12-04', color: false },
    );
    expect(line).not.toMatch(CONTROL);
    expect(line).not.toMatch(/[\n\u2028\u2029]/);
    expect(line).toContain(' relay abcdefgh before second line third after ');
    expect(line).toContain('{"clip":"\\u001b]52;c;ZXZpbA==\\u0007","c1":"","line":"a b"}');
  });

  it('colours the level alone, and only when asked', () => {
    const colored = formatEntryLine(entry(), { today: '2026-12-04', color: true });
    expect(colored).toBe(
      '18:19:21.123 \u001b[31mERROR\u001b[0m weather-mcp 0b9e4ad6 Tool "forecast" failed {"code":-32001}',
    );
    expect(formatEntryLine(entry({ level: 'WARN' }), { color: true })).toContain(
      '\u001b[33mWARN \u001b[0m',
    );
    expect(formatEntryLine(entry({ level: 'TRACE' }), { color: true })).toContain(
      '\u001b[2;90mTRACE\u001b[0m',
    );
    expect(formatEntryLine(entry(), { color: false })).not.toContain('\u001b');
  });
});

describe('colorEnabled', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, {}, false],
    [undefined, {}, false],
  ])('a TTY %s with %j: %s', (isTTY, env, expected) => {
    expect(colorEnabled({ isTTY }, env)).toBe(expected);
  });
});

describe('times', () => {
  it('reads Godot and Dewey forms as UTC instants, to the microsecond', () => {
    const godot = createdAtMicros('2026-01-02T03:04:05.678Z');
    expect(godot).toBe(Date.parse('2026-01-02T03:04:05.678Z') * 1000);
    expect(createdAtMicros('2026-01-02T03:04:05.678901')).toBe(godot + 901);
    expect(createdAtMicros('2026-01-02 03:04:05.678+00:00')).toBe(godot);
    expect(createdAtMicros('2026-01-02T04:04:05.678+0100')).toBe(godot);
    expect(createdAtMicros('yesterday')).toBeNaN();
  });

  it('shows a time that is not one as its text, without controls', () => {
    expect(displayTime('soon\u001b[2J', '2026-01-02')).toBe('soon');
    expect(displayTime('2026-01-02T03:04:05.678901', '2026-01-02')).toBe('03:04:05.678');
  });

  it('cuts before a surrogate pair rather than through it', () => {
    expect(cut('ab🙂cd', 4)).toBe('ab…');
    expect(cut('abc', 3)).toBe('abc');
  });
});
