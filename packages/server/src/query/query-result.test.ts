import type { LogRow } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { queryOutputSchema, queryResult } from './query-result.js';

const CAP = 64 * 1024;

function row(id: number, message: string, data: unknown = null): LogRow {
  return {
    id,
    trace_id: null,
    component: 'c',
    level: 'INFO',
    message,
    data,
    created_at: '2026-11-24T03:35:01.134382+00:00',
    age: 1.5,
  };
}

/** What goes on the wire: the result inside a JSON-RPC reply with a long id. */
function replyBytes(result: unknown): number {
  return Buffer.byteLength(JSON.stringify({ result, jsonrpc: '2.0', id: 'x'.repeat(200) }));
}

/** Checks what every result must satisfy, and returns its structured content. */
function checked(result: ReturnType<typeof queryResult>, cap = CAP) {
  expect(replyBytes(result)).toBeLessThanOrEqual(cap);
  const structured = queryOutputSchema.parse(result.structuredContent);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  // The text is exactly the serialized structured content (docs/product.md#common-input-rules).
  expect(text).toBe(JSON.stringify(result.structuredContent));
  return structured;
}

describe('queryResult', () => {
  it('leaves a reply under the cap as it is', () => {
    const logs = [row(1, 'a', { k: 1 }), row(2, 'b')];
    const result = queryResult(logs, CAP);
    expect(result).toEqual({
      content: [{ type: 'text', text: JSON.stringify({ logs }) }],
      structuredContent: { logs },
    });
  });

  it('adds the time-window marks after the rows, in the text too', () => {
    const logs = [row(1, 'a')];
    const result = queryResult(logs, CAP, { time_filter: 'godot', complete: false });
    const structured = { logs, time_filter: 'godot', complete: false };
    expect(result).toEqual({
      content: [{ type: 'text', text: JSON.stringify(structured) }],
      structuredContent: structured,
    });
    expect(queryOutputSchema.parse(result.structuredContent)).toEqual(structured);
  });

  it('keeps the marks, and the cap, when rows are cut', () => {
    const logs = Array.from({ length: 1000 }, (_, index) => row(index, `entry ${index}`));
    const result = queryResult(logs, CAP, { time_filter: 'godot' });
    const structured = checked(result);
    expect(structured).toMatchObject({ truncated: true, time_filter: 'godot' });
    expect(structured.omitted_rows).toBeGreaterThan(0);
  });

  it('replaces the largest data first with a marker giving its size, and says so', () => {
    const big = { blob: 'y'.repeat(20_000), quote: '"\\' };
    const logs = [
      row(1, 'small', { n: 1 }),
      row(2, 'big', big),
      row(3, 'bigger', { ...big, more: 'z'.repeat(10_000) }),
    ];
    const before = replyBytes(queryResult(logs, 1024 * 1024 * 1024));
    const structured = checked(queryResult(logs, CAP));
    expect(before).toBeGreaterThan(CAP + 30_000);
    expect(structured.truncated).toBe(true);
    expect(structured.omitted_rows).toBeUndefined();
    const [small, kept, cut] = structured.logs;
    expect(small?.data).toEqual({ n: 1 });
    expect(kept?.data === big || JSON.stringify(kept?.data) === JSON.stringify(big)).toBe(true);
    expect(cut?.data).toEqual({
      _truncated: true,
      bytes: Buffer.byteLength(JSON.stringify(logs[2]?.data)),
    });
    expect(cut?.message).toBe('bigger');
    // The rows given are untouched.
    expect(logs[2]?.data).toHaveProperty('more');
  });

  it('cuts the longest messages to a common size when data alone is not enough', () => {
    const logs = [
      row(1, 'short one'),
      row(2, 'é'.repeat(30_000), { x: 'w'.repeat(5_000) }),
      row(3, 'm'.repeat(100_000)),
    ];
    const structured = checked(queryResult(logs, CAP));
    expect(structured.truncated).toBe(true);
    const [short, accented, long] = structured.logs;
    expect(short?.message).toBe('short one');
    expect(accented?.data).toEqual({ _truncated: true, bytes: 5_008 });
    expect(accented?.message).toMatch(/^é+…\[truncated: 60000 bytes\]$/);
    expect(long?.message).toMatch(/^m+…\[truncated: 100000 bytes\]$/);
    // Water-filling: both cut messages keep about as many reply bytes (é costs 4, m costs 2).
    const keptCost = (message = '', perChar = 0) => message.indexOf('…') * perChar;
    expect(
      Math.abs(keptCost(accented?.message, 4) - keptCost(long?.message, 2)),
    ).toBeLessThanOrEqual(4);
  });

  it('leaves out the oldest rows, counted, when even cut rows do not fit', () => {
    const logs = Array.from({ length: 1000 }, (_, index) => row(index, `entry ${index}`));
    const structured = checked(queryResult(logs, CAP));
    expect(structured.truncated).toBe(true);
    expect(structured.logs.length).toBeGreaterThan(50);
    expect(structured.logs.length + (structured.omitted_rows ?? 0)).toBe(1000);
    expect(structured.logs[0]?.id).toBe(0);
  });

  it('stays under the cap whatever characters the rows hold', () => {
    const nasty = ['"', '\\', '\n', '\u0001', '\u007f', 'é', '€', '😀', '\ud800', 'a'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const text = (length: number) =>
      Array.from({ length }, () => nasty[Math.floor(random() * nasty.length)]).join('');
    for (const cap of [64 * 1024, 100_000, 300_000]) {
      const logs = Array.from({ length: 40 }, (_, index) =>
        row(index, text(Math.floor(random() * 8_000)), { [text(5)]: text(2_000) }),
      );
      const structured = checked(queryResult(logs, cap), cap);
      expect(structured.truncated).toBe(true);
      // Close to the cap: little is cut beyond what was needed.
      expect(replyBytes(queryResult(logs, cap))).toBeGreaterThan(cap - 4_096);
    }
  });
});
