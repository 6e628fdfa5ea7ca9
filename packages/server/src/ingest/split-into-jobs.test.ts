import { describe, expect, it } from 'vitest';
import { splitIntoJobs } from './split-into-jobs.js';

const calls = (...sizes: number[]) => sizes.map((bytes, index) => ({ item: { bytes }, index }));
const indexes = (jobs: { index: number }[][]) => jobs.map((job) => job.map((call) => call.index));

describe('splitIntoJobs', () => {
  it('keeps one job while it fits, in order', () => {
    expect(indexes(splitIntoJobs(calls(10, 10, 10), 100, 1000))).toEqual([[0, 1, 2]]);
  });

  it('cuts at maxEntries entries', () => {
    expect(indexes(splitIntoJobs(calls(1, 1, 1, 1, 1), 2, 1000))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('cuts before the entry that would pass maxBytes; an entry larger than that goes alone', () => {
    expect(indexes(splitIntoJobs(calls(40, 60, 1, 500, 2), 100, 100))).toEqual([
      [0, 1],
      [2],
      [3],
      [4],
    ]);
  });

  it('makes no job of nothing', () => {
    expect(splitIntoJobs([], 100, 100)).toEqual([]);
  });
});
