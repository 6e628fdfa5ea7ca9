import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GroupCommit,
  type GroupCommitOptions,
  type PendingCall,
  rejectCall,
  resolveCall,
} from './group-commit.js';

type Call = PendingCall<string, string>;

/** A group commit whose writes are recorded and answered by the test (`answer`). */
function harness(options: Partial<GroupCommitOptions<string, string>> = {}) {
  const writes: { items: string[]; done: () => void; fail: (cause: unknown) => void }[] = [];
  const failed: { items: string[]; cause: unknown }[] = [];
  const commit = new GroupCommit<string, string>({
    write: (batch: Call[]) =>
      new Promise<void>((resolve, reject) => {
        writes.push({
          items: batch.map((call) => call.item),
          done: () => {
            for (const call of batch) resolveCall(call, `ok ${call.item}`);
            resolve();
          },
          fail: reject,
        });
      }),
    writeFailed: (batch, cause) => {
      failed.push({ items: batch.map((call) => call.item), cause });
      for (const call of batch) rejectCall(call, new Error(`failed ${call.item}`));
    },
    expired: (call) => new Error(`expired ${call.item}`),
    ...options,
  });
  /** Submits and records the outcome, without leaving a rejection unhandled. */
  const submit = (item: string) => {
    const outcome: { value?: string; error?: string } = {};
    const settled = commit.submit(item).then(
      (value) => {
        outcome.value = value;
      },
      (error: Error) => {
        outcome.error = error.message;
      },
    );
    return Object.assign(outcome, { settled });
  };
  return { commit, writes, failed, submit };
}

describe('GroupCommit', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the calls of one turn of the event loop together, and those of a write in flight in the next', async () => {
    const { writes, submit } = harness();
    const first = ['a', 'b', 'c'].map(submit);
    expect(writes).toHaveLength(0);
    await vi.advanceTimersToNextTimerAsync(); // the setImmediate
    expect(writes.map((write) => write.items)).toEqual([['a', 'b', 'c']]);
    const later = ['d', 'e'].map(submit);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toHaveLength(1); // one write at a time
    writes[0]?.done();
    await Promise.all(first.map((call) => call.settled));
    expect(first.map((call) => call.value)).toEqual(['ok a', 'ok b', 'ok c']);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.map((write) => write.items)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    writes[1]?.done();
    await Promise.all(later.map((call) => call.settled));
    expect(later.map((call) => call.value)).toEqual(['ok d', 'ok e']);
  });

  it('maxBatch caps the calls per write; the rest follow in order', async () => {
    const { writes, submit } = harness({ maxBatch: 2 });
    const calls = ['a', 'b', 'c', 'd', 'e'].map(submit);
    for (let i = 0; i < 3; i += 1) {
      await vi.advanceTimersByTimeAsync(0);
      writes[i]?.done();
    }
    await Promise.all(calls.map((call) => call.settled));
    expect(writes.map((write) => write.items)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('while calls keep coming (within busyWindowMs of the last write), a write lingers lingerMs', async () => {
    const { writes, submit } = harness({ lingerMs: 5, busyWindowMs: 50 });
    submit('a');
    await vi.advanceTimersByTimeAsync(0);
    writes[0]?.done();
    await vi.advanceTimersByTimeAsync(10); // 10 ms after the last write started: busy
    submit('b');
    await vi.advanceTimersByTimeAsync(4);
    submit('c');
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // lingerMs after 'b'
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b', 'c']]);
  });

  it('a call after a quiet spell (busyWindowMs since the last write) never waits', async () => {
    const { writes, submit } = harness({ lingerMs: 5, busyWindowMs: 50 });
    submit('a');
    await vi.advanceTimersByTimeAsync(0);
    writes[0]?.done();
    await vi.advanceTimersByTimeAsync(50);
    submit('b');
    await vi.advanceTimersToNextTimerAsync();
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b']]);
    expect(performance.now()).toBe(50); // no linger: the setImmediate only
  });

  it('lingerMs 0 turns lingering off', async () => {
    const { writes, submit } = harness({ lingerMs: 0, busyWindowMs: 50 });
    submit('a');
    await vi.advanceTimersByTimeAsync(0);
    writes[0]?.done();
    await vi.advanceTimersByTimeAsync(1);
    submit('b');
    await vi.advanceTimersToNextTimerAsync();
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b']]);
    expect(performance.now()).toBe(1);
  });

  it('a lingering write starts at once when fullBatch calls wait', async () => {
    const { writes, submit } = harness({ lingerMs: 5, busyWindowMs: 50, fullBatch: 3 });
    submit('a');
    await vi.advanceTimersByTimeAsync(0);
    writes[0]?.done();
    await vi.advanceTimersByTimeAsync(1);
    submit('b');
    submit('c');
    submit('d');
    await vi.advanceTimersToNextTimerAsync();
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(performance.now()).toBe(1);
  });

  it('each call fails at its own deadline, counted from its arrival, and a stuck write holds up the next no longer', async () => {
    const { writes, failed, submit } = harness({ deadlineMs: 100 });
    const a = submit('a');
    await vi.advanceTimersByTimeAsync(0); // write 1 starts, never answers
    await vi.advanceTimersByTimeAsync(40);
    const b = submit('b'); // waits behind the stuck write
    await vi.advanceTimersByTimeAsync(59);
    expect(writes).toHaveLength(1);
    expect(a.error).toBeUndefined();
    // At a's deadline a fails, and the stuck write (started when a arrived)
    // is given up: b, whose deadline is 40 ms away, is written next.
    await vi.advanceTimersByTimeAsync(1);
    expect(a.error).toBe('expired a');
    expect(b.error).toBeUndefined();
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b']]);
    writes[1]?.done();
    await b.settled;
    expect(b.value).toBe('ok b');
    // A late answer to the stuck write changes nothing, and is no failure.
    writes[0]?.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.error).toBe('expired a');
    expect(failed).toEqual([]);
  });

  it('a write that fails hands its batch to writeFailed', async () => {
    const { writes, failed, submit } = harness();
    const calls = ['a', 'b'].map(submit);
    await vi.advanceTimersByTimeAsync(0);
    const cause = new Error('refused');
    writes[0]?.fail(cause);
    await Promise.all(calls.map((call) => call.settled));
    expect(failed).toEqual([{ items: ['a', 'b'], cause }]);
    expect(calls.map((call) => call.error)).toEqual(['failed a', 'failed b']);
  });

  it('drained() resolves once every call submitted has been written', async () => {
    const { commit, writes, submit } = harness({ maxBatch: 1 });
    ['a', 'b'].map(submit);
    let drained = false;
    const done = commit.drained().then(() => {
      drained = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    writes[0]?.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(drained).toBe(false);
    writes[1]?.done();
    await done;
    expect(writes).toHaveLength(2);
  });
});
