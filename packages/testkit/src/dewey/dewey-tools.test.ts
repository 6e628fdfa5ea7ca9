import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawWsClient } from '../raw-ws-client.js';
import { DeweyEmulator } from './dewey-emulator.js';
import type { DeweyRow, DeweyStats } from './store/dewey-store.js';

// docs/dewey-contract.md, "dewey_query_logs", "dewey_clear_logs", "dewey_get_log_stats".

const TRACE = '0b9d3c2a-1e4f-4a5b-9c8d-7e6f5a4b3c2d';
const OTHER_TRACE = '11111111-2222-4333-8444-555555555555';

const seed = [
  {
    component: 'api',
    level: 'ERROR',
    message: 'Payment failed for order',
    created_at: '2026-11-24T10:00:00Z',
    trace_id: TRACE,
    data: { order: 7, 'a-long-key': true, z: null },
  },
  {
    component: 'api',
    level: 'WARN',
    message: 'Retrying the connection',
    created_at: '2026-11-24T10:00:01.5Z',
    trace_id: TRACE,
  },
  {
    component: 'worker',
    level: 'INFO',
    message: 'Hello world from the worker',
    created_at: '2026-11-24T10:00:02Z',
    trace_id: OTHER_TRACE,
  },
  {
    component: 'worker',
    level: 'DEBUG',
    message: 'Connections pool is failing over',
    created_at: '2026-11-24T10:00:03Z',
  },
  {
    component: 'db',
    level: 'TRACE',
    message: 'segmentation fault in signal handler',
    created_at: '2026-11-24T10:00:04Z',
  },
];

describe('query, clear and stats', () => {
  let emulator: DeweyEmulator;
  let client: RawWsClient;
  const query = (args: Record<string, unknown>) =>
    client.callToolPayload<DeweyRow[]>('dewey_query_logs', args);
  const messages = async (args: Record<string, unknown>) =>
    (await query(args)).map((r) => r.message);
  const queryError = async (args: Record<string, unknown>) =>
    (await client.callTool('dewey_query_logs', args)).error;

  beforeAll(async () => {
    // A fixed clock: the seven-day default of clear is measured from it.
    emulator = await DeweyEmulator.start({ clock: () => Date.parse('2026-11-25T00:00:00Z') });
    client = await RawWsClient.connect(emulator.url);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });
  beforeEach(async () => {
    emulator.clear();
    await client.callToolPayload('dewey_store_logs_batch', { logs: seed });
  });

  it('returns rows newest first, data as a JSON string, ISO times, float ages', async () => {
    const rows = await query({});
    expect(rows.map((r) => r.component)).toEqual(['db', 'worker', 'worker', 'api', 'api']);
    const error = rows[4];
    expect(Object.keys(error ?? {})).toEqual([
      'id',
      'trace_id',
      'component',
      'level',
      'message',
      'data',
      'created_at',
      'age',
    ]);
    expect(error).toMatchObject({
      trace_id: TRACE,
      level: 'ERROR',
      data: '{"order":7,"a-long-key":true,"z":null}',
      created_at: '2026-11-24T10:00:00+00:00',
    });
    expect(rows[3]?.created_at).toBe('2026-11-24T10:00:01.500000+00:00');
    expect(rows[3]?.data).toBeNull();
    expect(typeof error?.age).toBe('number');
    expect(await query({ component: 'nobody' })).toEqual([]);
  });

  it('clamps limit to 1..1000, defaults to 100, refuses non-integers', async () => {
    expect(await query({ limit: 0 })).toHaveLength(1);
    expect(await query({ limit: 2 })).toHaveLength(2);
    expect(await query({ limit: 5000 })).toHaveLength(5);
    const many = Array.from({ length: 150 }, (_, i) => ({
      component: 'bulk',
      level: 'INFO',
      message: `n${i}`,
    }));
    await client.callToolPayload('dewey_store_logs_batch', { logs: many });
    expect(await query({ component: 'bulk' })).toHaveLength(100);
    expect((await queryError({ limit: 'ten' }))?.code).toBe(-32603);
    expect((await queryError({ limit: 2.5 }))?.code).toBe(-32603);
    expect((await queryError({ limit: null }))?.code).toBe(-32603);
  });

  it('filters by trace id, component and minimum level', async () => {
    expect(await messages({ trace_id: TRACE.toUpperCase().replaceAll('-', '') })).toEqual([
      'Retrying the connection',
      'Payment failed for order',
    ]);
    expect((await query({ component: 'worker' })).map((r) => r.level)).toEqual(['DEBUG', 'INFO']);
    expect((await query({ level: 'warn' })).map((r) => r.level)).toEqual(['WARN', 'ERROR']);
    expect((await query({ level: 'TRACE' })).length).toBe(5);
    expect(await queryError({ level: 'WARNING' })).toEqual({
      code: -32000,
      message: 'Invalid level: WARNING',
    });
    expect(await queryError({ trace_id: 'not-a-uuid' })).toMatchObject({ code: -32603 });
  });

  it('ignores empty-string filters', async () => {
    const all = await query({
      trace_id: '',
      component: '',
      level: '',
      search: '',
      start_time: '',
      end_time: '',
    });
    expect(all).toHaveLength(5);
  });

  it('filters by inclusive time bounds', async () => {
    expect(await messages({ start_time: '2026-11-24T10:00:03Z' })).toEqual([
      'segmentation fault in signal handler',
      'Connections pool is failing over',
    ]);
    expect(await messages({ end_time: '2026-11-24T12:00:01.5+02:00' })).toEqual([
      'Retrying the connection',
      'Payment failed for order',
    ]);
    expect((await queryError({ start_time: 'soon' }))?.code).toBe(-32603);
  });

  it('searches like PostgreSQL english full text', async () => {
    expect(await messages({ search: 'fail' })).toEqual([
      'Connections pool is failing over',
      'Payment failed for order',
    ]);
    expect(await messages({ search: 'connection' })).toEqual([
      'Connections pool is failing over',
      'Retrying the connection',
    ]);
    expect(await messages({ search: 'hel' })).toEqual([]);
    expect(await messages({ search: 'HELLO' })).toEqual(['Hello world from the worker']);
    expect(await messages({ search: 'the' })).toEqual([]);
    expect(await messages({ search: '"fault in signal"' })).toEqual([
      'segmentation fault in signal handler',
    ]);
    expect(await messages({ search: '"signal fault"' })).toEqual([]);
    expect(await messages({ search: 'fail -payment' })).toEqual([
      'Connections pool is failing over',
    ]);
    expect(await messages({ search: 'payment or hello' })).toEqual([
      'Hello world from the worker',
      'Payment failed for order',
    ]);
  });

  it('clears logs older than before_time, by component and minimum level', async () => {
    const clear = (args: Record<string, unknown>) =>
      client.callToolPayload('dewey_clear_logs', args);
    expect(await clear({ before_time: '2026-11-24T10:00:01.5Z', level: 'error' })).toEqual({
      status: 'ok',
      deleted_count: 1,
    });
    expect(await clear({ before_time: '2026-11-24T10:00:03Z', component: 'worker' })).toEqual({
      status: 'ok',
      deleted_count: 1,
    });
    // The default cut-off is seven days before now (2026-11-18 here).
    const old = {
      component: 'x',
      level: 'INFO',
      message: 'old',
      created_at: '2026-11-17T23:59:59Z',
    };
    await client.callToolPayload('dewey_store_logs_batch', {
      logs: [old, { ...old, message: 'recent', created_at: null }],
    });
    expect(await clear({})).toEqual({ status: 'ok', deleted_count: 1 });
    expect(emulator.stored().map((r) => r.message)).not.toContain('old');
    expect(emulator.stored().map((r) => r.message)).toContain('recent');
    expect((await client.callTool('dewey_clear_logs', { level: 'FATAL' })).error?.code).toBe(
      -32000,
    );
  });

  it('counts logs by component and level', async () => {
    const stats = await client.callToolPayload<DeweyStats>('dewey_get_log_stats', {});
    expect(stats).toEqual({
      total_count: 5,
      count_by_component: { api: 2, worker: 2, db: 1 },
      count_by_level: { ERROR: 1, WARN: 1, INFO: 1, DEBUG: 1, TRACE: 1 },
      oldest_log_at: '2026-11-24T10:00:00+00:00',
      newest_log_at: '2026-11-24T10:00:04+00:00',
      estimated_db_size: expect.stringMatching(/^\d+ (bytes|kB|MB)$/),
    });
    emulator.clear();
    const empty = await client.callToolPayload<DeweyStats>('dewey_get_log_stats', {});
    expect(empty).toMatchObject({
      total_count: 0,
      oldest_log_at: null,
      estimated_db_size: '8192 bytes',
    });
  });
});

describe('realDeweyBugs', () => {
  it('fails every time filter and every clear like the real Dewey', async () => {
    const emulator = await DeweyEmulator.start({ realDeweyBugs: true });
    const client = await RawWsClient.connect(emulator.url);
    try {
      const bug = (n: number, value: string) =>
        `Internal error: invalid input for query argument $${n}: '${value}' (expected a datetime.date or datetime.datetime instance, got 'str')`;
      const start = '2026-11-24T10:00:00Z';
      expect((await client.callTool('dewey_query_logs', { start_time: start })).error).toEqual({
        code: -32603,
        message: bug(1, start),
      });
      const withFilters = await client.callTool('dewey_query_logs', {
        component: 'api',
        level: 'INFO',
        end_time: start,
      });
      expect(withFilters.error?.message).toBe(bug(3, start));
      expect(await client.callToolPayload('dewey_query_logs', { component: 'api' })).toEqual([]);
      expect(
        (await client.callTool('dewey_clear_logs', { before_time: start })).error?.message,
      ).toBe(bug(1, start));
      const byDefault = await client.callTool('dewey_clear_logs', {});
      expect(byDefault.error?.message).toMatch(
        /^Internal error: invalid input for query argument \$1: '\d{4}-\d\d-\d\dT[\d:.]+\+00:00' \(expected a datetime\.date or datetime\.datetime instance, got 'str'\)$/,
      );
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});
