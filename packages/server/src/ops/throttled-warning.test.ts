import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../server.fixture.js';
import { ThrottledWarning } from './throttled-warning.js';

describe('ThrottledWarning', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first occurrence at once, and the sum of the later ones when the interval is over', async () => {
    const { logger, lines } = recordingLogger();
    const warning = new ThrottledWarning(logger, 'limit reached', { limit: 5 }, 1000);
    warning.add();
    warning.add(2);
    warning.add();
    expect(lines).toEqual([{ level: 'warn', obj: { limit: 5, count: 1 }, msg: 'limit reached' }]);
    await vi.advanceTimersByTimeAsync(999);
    expect(lines).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(lines[1]).toEqual({ level: 'warn', obj: { limit: 5, count: 3 }, msg: 'limit reached' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(lines).toHaveLength(2); // nothing pending, nothing logged
  });

  it('flush() logs what is pending now; the count can go under another field name', () => {
    const { logger, lines } = recordingLogger();
    const warning = new ThrottledWarning(logger, 'dropped', {}, 60_000, 'dropped');
    warning.add(4);
    warning.add(6);
    warning.flush();
    expect(lines.map((line) => line.obj)).toEqual([{ dropped: 4 }, { dropped: 6 }]);
  });
});
