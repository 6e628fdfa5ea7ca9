import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('seals at maxEntries, in order', () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>((batch) => batches.push(batch), {
      maxEntries: 100,
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

  it("times a batch from its first item's queueing, when the item says it waited already", () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>((batch) => batches.push(batch), { maxWaitMs: 100 });
    // A job that gathered entries for 70 ms before the worker took it.
    batcher.add('gathered', 1, 1, Date.now() - 70);
    batcher.add('next', 1);
    vi.advanceTimersByTime(29);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([['gathered', 'next']]);
    // One that waited longer than maxWaitMs is a ready batch: sealed on the next tick.
    batcher.add('late', 1, 1, Date.now() - 500);
    vi.advanceTimersByTime(0);
    expect(batches).toEqual([['gathered', 'next'], ['late']]);
  });

  it('never exceeds maxBytes, but lets one oversized item go alone', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>((batch) => batches.push(batch), {
      maxEntries: 10,
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
    expect(() => new Batcher(() => {}, { maxEntries: 0 })).toThrow('maxEntries');
  });

  it('counts the entries of each item and never splits one', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>((batch) => batches.push(batch), { maxEntries: 10 });
    batcher.add('four', 1, 4);
    batcher.add('five', 1, 5);
    batcher.add('three', 1, 3); // 12 > 10: seals [four, five] first
    batcher.add('seven', 1, 7); // exactly 10: seals at once
    expect(batches).toEqual([
      ['four', 'five'],
      ['three', 'seven'],
    ]);
  });
});
