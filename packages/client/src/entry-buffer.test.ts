import { describe, expect, it } from 'vitest';
import { EntryBuffer, type LogEntry } from './entry-buffer.js';

const entry = (message: string): LogEntry => ({
  component: 'c',
  level: 'INFO',
  message,
  trace_id: null,
  data: null,
});

const drain = (buffer: EntryBuffer) => {
  const out: string[] = [];
  for (let e = buffer.shift(); e; e = buffer.shift()) out.push(e.message);
  return out;
};

describe('EntryBuffer', () => {
  it('drops the oldest when full and says so', () => {
    const buffer = new EntryBuffer(3);
    const dropped = ['1', '2', '3', '4', '5'].map((m) => buffer.push(entry(m)));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(drain(buffer)).toEqual(['3', '4', '5']);
  });

  it('puts entries back in front in order, dropping the oldest of them when over', () => {
    const buffer = new EntryBuffer(4);
    buffer.push(entry('c'));
    buffer.push(entry('d'));
    expect(buffer.unshift([entry('x'), entry('a'), entry('b')])).toBe(1);
    expect(drain(buffer)).toEqual(['a', 'b', 'c', 'd']);
  });
});
