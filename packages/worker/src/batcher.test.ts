import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('seals at maxItems, in order', () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>((batch) => batches.push(batch), {
      maxItems: 100,
      maxWaitMs: 100,
    });
    for (let i = 0; i < 150; i += 1) batcher.add(i, 10);
    expect(batches.map((b) => b.length)).toEqual([100]);
    expect(batches[0]).toEqual([...Array(100).keys()]);
    vi.advanceTimersByTime(99);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(batches.map((b) => b.length)).toEqual([100, 50]);
    expect(batches[1]?.[0]).toBe(100);
  });

  it('seals a lone item maxWaitMs after it arrived', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>((batch) => batches.push(batch), { maxWaitMs: 100 });
    batcher.add('only', 1);
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([['only']]);
  });

  it('never exceeds maxBytes, but lets one oversized item go alone', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>((batch) => batches.push(batch), {
      maxItems: 10,
      maxBytes: 100,
    });
    batcher.add('a', 60);
    batcher.add('b', 60);
    batcher.add('huge', 500);
    batcher.add('c', 10);
    batcher.seal();
    expect(batches).toEqual([['a'], ['b'], ['huge'], ['c']]);
  });

  it('refuses nonsense options', () => {
    expect(() => new Batcher(() => {}, { maxItems: 0 })).toThrow('maxItems');
  });
});
