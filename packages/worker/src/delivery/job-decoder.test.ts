import { logJobName } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { entry } from './held-job.fixture.js';
import { decodeEntry, decodeJob, unreadableReason } from './job-decoder.js';

const job = (data: unknown, name = 'log', attemptsMade = 0) => ({ name, data, attemptsMade });

describe('decodeEntry', () => {
  it('reads a log entry', () => {
    expect(decodeEntry(entry('m'))).toEqual({ readable: true, entry: entry('m') });
  });

  it('keeps what is not one, as it was, with the reason', () => {
    const value = { ...entry('m'), level: 'LOUD' };
    const decoded = decodeEntry(value);
    expect(decoded).toEqual({ readable: false, value, problem: expect.stringContaining('level') });
  });
});

describe('decodeJob', () => {
  it('reads the entries of a job, oldest first', () => {
    const entries = [entry('a'), entry('b')];
    expect(decodeJob(job({ entries }, logJobName(2, 100)))).toEqual({
      kind: 'entries',
      entries,
      unreadable: [],
    });
  });

  it('reads only the entries the name says are kept, the newest (the bound cut the oldest)', () => {
    const entries = [entry('a'), entry('b'), entry('c')];
    const decoded = decodeJob(job({ entries }, logJobName(2, 100)));
    expect(decoded).toEqual({ kind: 'entries', entries: [entry('b'), entry('c')], unreadable: [] });
  });

  it('reads a job of Godot 0.1 (one entry as the whole data) as a job of one', () => {
    expect(decodeJob(job(entry('old')))).toEqual({
      kind: 'entries',
      entries: [entry('old')],
      unreadable: [],
    });
  });

  it('sets unreadable values apart, each with its reason, and keeps the rest', () => {
    const decoded = decodeJob(job({ entries: [entry('a'), { nonsense: true }, 42] }));
    expect(decoded).toEqual({
      kind: 'entries',
      entries: [entry('a')],
      unreadable: [
        { readable: false, value: { nonsense: true }, problem: expect.any(String) },
        { readable: false, value: 42, problem: expect.any(String) },
      ],
    });
    if (decoded.kind !== 'entries') throw new Error('unreachable');
    const [first] = decoded.unreadable;
    expect(first && unreadableReason(first)).toMatch(/^invalid log entry in job data: /);
  });

  it('reads data that is no object at all as one unreadable value', () => {
    expect(decodeJob(job(null))).toEqual({
      kind: 'entries',
      entries: [],
      unreadable: [{ readable: false, value: null, problem: expect.any(String) }],
    });
  });

  it("fails a dead letter's first run with Dewey's message, and delivers it when retried", () => {
    const data = { entries: [entry('m42')], rejected: 'invalid UUID' };
    expect(decodeJob(job(data, logJobName(1, 10), 0))).toEqual({
      kind: 'dead-letter',
      failure: 'Dewey rejected this entry: invalid UUID',
    });
    expect(decodeJob(job(data, logJobName(1, 10), 1))).toEqual({
      kind: 'entries',
      entries: [entry('m42')],
      unreadable: [],
    });
  });
});
