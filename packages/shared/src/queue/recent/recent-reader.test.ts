import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { privateQueues, testEntry } from '../../../../../test/support/private-queues.js';
import { boundAccountKey, recentAccountKey, recentWindowKey } from '../../redis/redis-keys.js';
import { addLogJobs } from '../add-log-jobs.js';
import type { LogEntry } from '../log-entry.js';
import { JobAppender } from '../open-job/append-to-job.js';
import { CursorError, decodeCursor, encodeCursor } from './recent-cursor.js';
import { RecentReader } from './recent-reader.js';
import {
  acceptedMicros,
  addRecentRecord,
  defineRecentWindow,
  type RecentBounds,
} from './recent-window.js';

const LARGE: RecentBounds = { windowMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };

describe('the recent window', () => {
  const queues = privateQueues('recent');

  /** Shards as the server has them: one queue each, one window each. */
  function shards(count: number) {
    const list = Array.from({ length: count }, () => queues.queue());
    const keys = list.map((queue) => ({
      stream: recentWindowKey(queue),
      account: recentAccountKey(queue),
    }));
    return { list, keys, reader: new RecentReader(queues.redis(), keys) };
  }

  /** Writes one flush of `messages` to `queue`'s window, as ingest does. */
  async function flush(queue: Queue, messages: string[], bounds = LARGE): Promise<void> {
    const redis = queues.redis();
    defineRecentWindow(redis);
    const entries = messages.map((message) => testEntry(message));
    const json = JSON.stringify(entries);
    const multi = redis.multi();
    addRecentRecord(
      multi,
      { stream: recentWindowKey(queue), account: recentAccountKey(queue) },
      {
        entriesJson: json,
        count: entries.length,
        bytes: entries.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify(entry)), 0),
        acceptedUs: acceptedMicros(),
      },
      bounds,
    );
    const results = await multi.exec();
    expect(results?.[0]?.[0]).toBeNull();
  }

  const messages = (entries: LogEntry[]) => entries.map((entry) => entry.message);

  it('a tail from the end sees only what comes next, merged across shards in the order accepted', async () => {
    const { list, reader } = shards(3);
    await flush(list[0] as Queue, ['before']);
    const cursor = await reader.end();
    for (let i = 0; i < 9; i++) await flush(list[i % 3] as Queue, [`m${i}`]);
    const read = await reader.read(cursor, { limit: 100 });
    expect(messages(read.entries)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    expect(read.missed).toBeUndefined();
    expect(read.exhausted).toBe(true);
  });

  it('pages through cursors with no entry lost or repeated, within and across records', async () => {
    const { list, reader } = shards(2);
    let cursor = await reader.end();
    const written: string[] = [];
    for (let i = 0; i < 20; i++) {
      const flushMessages = [`a${i}`, `b${i}`, `c${i}`];
      written.push(...flushMessages);
      await flush(list[i % 2] as Queue, flushMessages);
    }
    const seen: string[] = [];
    for (;;) {
      // Through the string form, as a client passes it back.
      const read = await reader.read(decodeCursor(encodeCursor(cursor)), { limit: 4 });
      seen.push(...messages(read.entries));
      cursor = read.cursor;
      if (read.entries.length === 0) break;
    }
    expect(seen).toEqual(written);
  });

  it('filters count only matching entries towards the limit, and the cursor passes the others', async () => {
    const { list, reader } = shards(1);
    const cursor = await reader.end();
    await flush(list[0] as Queue, ['keep 1', 'skip', 'keep 2', 'skip', 'keep 3']);
    const match = (entry: LogEntry) => entry.message.startsWith('keep');
    const first = await reader.read(cursor, { limit: 2, match });
    expect(messages(first.entries)).toEqual(['keep 1', 'keep 2']);
    const second = await reader.read(first.cursor, { limit: 2, match });
    expect(messages(second.entries)).toEqual(['keep 3']);
    const third = await reader.read(second.cursor, { limit: 2, match });
    expect(third.entries).toEqual([]);
  });

  it('keeps to its byte bound, oldest first, and a cursor behind it learns exactly how many it missed', async () => {
    const { list, keys, reader } = shards(1);
    const queue = list[0] as Queue;
    const one = Buffer.byteLength(JSON.stringify(testEntry('m000')));
    const bounds = { windowMs: 3_600_000, maxBytes: one * 10 };
    const cursor = await reader.end();
    for (let i = 0; i < 30; i++) await flush(queue, [`m${String(i).padStart(3, '0')}`], bounds);
    const redis = queues.redis();
    const key = keys[0]?.stream as string;
    expect(await redis.xlen(key)).toBe(10);
    expect(Number(await redis.hget(keys[0]?.account as string, 'bytes'))).toBe(one * 10);
    const read = await reader.read(cursor, { limit: 100 });
    expect(read.missed).toBe(20);
    expect(messages(read.entries)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${String(i + 20).padStart(3, '0')}`),
    );
    const span = await reader.span();
    expect(span.entries).toBe(10);
    expect(span.bytes).toBe(one * 10);
  });

  it('keeps to its age bound', async () => {
    const { list, keys } = shards(1);
    const queue = list[0] as Queue;
    const bounds = { windowMs: 200, maxBytes: 64 * 1024 * 1024 };
    await flush(queue, ['old 1', 'old 2'], bounds);
    await flush(queue, ['old 3'], bounds);
    const [old3] = await queues.redis().xrevrange(keys[0]?.stream as string, '+', '-', 'COUNT', 1);
    const old3Ms = Number(old3?.[0].split('-')[0]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await flush(queue, ['new'], bounds);
    const records = await queues.redis().xrange(keys[0]?.stream as string, '-', '+');
    expect(records).toHaveLength(1);
    const reader = new RecentReader(queues.redis(), keys);
    const span = await reader.span();
    expect(span.entries).toBe(1);
    // Trimmed records make the window complete only from after them.
    expect(span.complete_since).toBe(old3Ms + 1);
    expect(span.complete_since).toBeLessThanOrEqual(span.oldest as number);
  });

  it('reads backward, newest first, down to a time, and continues from its cursor', async () => {
    const { list, reader } = shards(2);
    for (let i = 0; i < 10; i++) await flush(list[i % 2] as Queue, [`m${i}`]);
    const first = await reader.read(reader.at(Date.now() + 1000, 'backward'), { limit: 4 });
    expect(messages(first.entries)).toEqual(['m9', 'm8', 'm7', 'm6']);
    const rest = await reader.read(first.cursor, { limit: 100 });
    expect(messages(rest.entries)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1', 'm0']);
    expect(rest.exhausted).toBe(true);
    const none = await reader.read(reader.at(Date.now() + 1000, 'backward'), {
      limit: 100,
      stopMs: Date.now() + 500,
    });
    expect(none.entries).toEqual([]);
  });

  it('an empty window spans nothing, and is complete from when it began to record', async () => {
    const { reader } = shards(2);
    expect((await reader.span()).complete_since).toBeNull();
    const before = Date.now();
    await reader.markStarted();
    const span = await reader.span();
    expect(span).toMatchObject({ oldest: null, newest: null, entries: 0, bytes: 0 });
    expect(span.complete_since).toBeGreaterThanOrEqual(before);
  });

  it('a window that cannot be written leaves the entries queued, and says so, on both write paths', async () => {
    const queue = queues.queue();
    const redis = queues.redis();
    // A key of the wrong type where the stream should be: every XADD fails.
    await redis.set(recentWindowKey(queue), 'not a stream');
    const failures: string[] = [];
    const bounds = LARGE;
    const entry = testEntry('kept');
    const json = JSON.stringify([entry]);
    const record = {
      entriesJson: json,
      count: 1,
      bytes: json.length - 2,
      acceptedUs: acceptedMicros(),
    };
    const [id] = await addLogJobs(queue, [{ entries: [entry] }], { delay: 60_000 }, undefined, {
      record,
      bounds,
      onFailure: (error) => failures.push(error),
    });
    expect(failures).toEqual([expect.stringContaining('WRONGTYPE')]);
    const appender = new JobAppender(redis, queue, bounds, (error) => failures.push(error));
    expect(await appender.append(id as string, json, 1, record.bytes)).toBe(true);
    expect(failures).toHaveLength(2);
    expect(failures[1]).toContain('window:');
    // Both entries are in the job, and the bound counted both.
    const job = await queue.getJob(id as string);
    expect(job?.name).toMatch(/^2 entries/);
    expect(Number(await redis.hget(boundAccountKey(queue), 'entries'))).toBe(2);
  });

  it('stops at its deadline with what it found, and its cursor goes on from there', async () => {
    const { list, reader } = shards(2);
    for (let i = 0; i < 300; i++) await flush(list[i % 2] as Queue, [`d${i}`]);
    const start = reader.at(Date.now() + 1000, 'backward');
    const stopped = await reader.read(start, { limit: 1000, deadline: Date.now() });
    expect(stopped.entries).toEqual([]);
    expect(stopped.exhausted).toBe(false);
    // A deadline met after the first chunks: some read, the rest on the next page.
    const partial = await reader.read(start, { limit: 1000, deadline: Date.now() + 1_000_000 });
    expect(partial.entries).toHaveLength(300);
    let cursor = start;
    const seen: string[] = [];
    for (let round = 0; round < 400; round++) {
      // Each round stops as soon as its chunks are read: at most one fill each.
      const page = await reader.read(cursor, { limit: 1000, deadline: Date.now() + 1 });
      seen.push(...messages(page.entries));
      cursor = page.cursor;
      if (page.exhausted) break;
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => `d${299 - i}`));
  });

  it('refuses a cursor it did not write', () => {
    for (const text of [
      '',
      'abc',
      'f1.',
      'f1.!!!',
      `f1.${Buffer.from('[["x"]]').toString('base64url')}`,
    ]) {
      expect(() => decodeCursor(text), text).toThrow(CursorError);
    }
  });
});
