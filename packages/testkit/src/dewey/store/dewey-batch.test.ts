import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type JsonRpcReply, RawWsClient } from '../../raw-ws-client.js';
import { DeweyEmulator } from '../dewey-emulator.js';

// docs/dewey-contract.md, "dewey_store_logs_batch".

const TRACE = '4f1c6a2e-9b7d-4e3a-8c5f-0d2b1a9e7c64';
const ok = (overrides: Record<string, unknown> = {}) => ({
  trace_id: TRACE,
  component: 'batch-test',
  level: 'INFO',
  message: 'fine',
  data: { k: 'v' },
  ...overrides,
});

describe('dewey_store_logs_batch', () => {
  let emulator: DeweyEmulator;
  let client: RawWsClient;
  const store = (logs: unknown): Promise<JsonRpcReply> =>
    client.callTool('dewey_store_logs_batch', { logs });
  const storeError = async (logs: unknown) => (await store(logs)).error;

  beforeAll(async () => {
    emulator = await DeweyEmulator.start();
    client = await RawWsClient.connect(emulator.url);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });
  afterEach(() => {
    emulator.clear();
  });

  it('answers an empty batch without a count', async () => {
    expect(await client.callToolPayload('dewey_store_logs_batch', { logs: [] })).toEqual({
      status: 'ok',
      message: 'No logs to store.',
    });
  });

  it('stores up to 1000 entries and refuses 1001', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ok({ message: `m${i}` }));
    expect(await client.callToolPayload('dewey_store_logs_batch', { logs: batch })).toEqual({
      status: 'ok',
      inserted_count: 1000,
    });
    expect(await storeError([...batch, ok()])).toEqual({
      code: -32000,
      message: 'Batch size 1001 exceeds maximum 1000',
    });
    expect(emulator.storedCount).toBe(1000);
  });

  it('is all or nothing: one bad entry stores none', async () => {
    const error = await storeError([ok(), ok(), ok({ level: 'WARNING' }), ok()]);
    expect(error).toEqual({ code: -32000, message: 'Invalid log level in batch: WARNING' });
    expect(await storeError([ok(), ok({ trace_id: 'nope' })])).toMatchObject({ code: -32603 });
    expect(emulator.storedCount).toBe(0);
  });

  it('checks levels case-insensitively and stores them upper case', async () => {
    await store(['error', 'Warn', 'info', 'DEBUG', 'trace'].map((level) => ok({ level })));
    expect(emulator.stored().map((r) => r.level)).toEqual([
      'ERROR',
      'WARN',
      'INFO',
      'DEBUG',
      'TRACE',
    ]);
    for (const [level, shown] of [
      ['FATAL', 'FATAL'],
      [null, 'None'],
      [undefined, 'None'],
      ['', ''],
    ]) {
      expect(await storeError([ok({ level })])).toEqual({
        code: -32000,
        message: `Invalid log level in batch: ${shown}`,
      });
    }
    expect(await storeError([ok({ level: 3 })])).toEqual({
      code: -32603,
      message: "Internal error: 'int' object has no attribute 'upper'",
    });
  });

  it('accepts null or UUID trace ids and stores them dashed lower case', async () => {
    const hex = '4F1C6A2E9B7D4E3A8C5F0D2B1A9E7C64';
    await store([ok({ trace_id: null }), ok({ trace_id: hex }), ok({ trace_id: undefined })]);
    expect(emulator.stored().map((r) => r.trace_id)).toEqual([null, TRACE, null]);
    expect(await storeError([ok({ trace_id: 'abc' })])).toEqual({
      code: -32603,
      message: "Internal error: invalid input for query argument $1: 'abc' (invalid UUID)",
    });
    const bad = 'zzzzzzzz-9b7d-4e3a-8c5f-0d2b1a9e7c64';
    expect((await storeError([ok({ trace_id: bad })]))?.message).toBe(
      `Internal error: invalid input for query argument $1: '${bad}' (invalid UUID)`,
    );
    expect((await storeError([ok({ trace_id: 42 })]))?.message).toBe(
      'Internal error: invalid input for query argument $1: 42 (invalid UUID)',
    );
    // Dashes anywhere and upper case, as asyncpg reads them; 37 characters is too long.
    await store([ok({ trace_id: `-${hex.slice(0, 16)}--${hex.slice(16)}-` })]);
    expect(emulator.stored().at(-1)?.trace_id).toBe(TRACE);
    expect((await storeError([ok({ trace_id: `--${TRACE}-` })]))?.code).toBe(-32603);
    // A long value is cut in the message, as asyncpg cuts it.
    expect((await storeError([ok({ trace_id: 'x'.repeat(50) })]))?.message).toBe(
      `Internal error: invalid input for query argument $1: '${'x'.repeat(39)}... (invalid UUID)`,
    );
  });

  it('requires a string message without NUL', async () => {
    expect(await storeError([ok({ message: null })])).toEqual({
      code: -32603,
      message:
        'Internal error: null value in column "message" of relation "logs" violates not-null constraint',
    });
    expect((await storeError([ok({ message: undefined })]))?.code).toBe(-32603);
    expect((await storeError([ok({ message: 12 })]))?.message).toBe(
      'Internal error: invalid input for query argument $4: 12 (expected str, got int)',
    );
    expect((await storeError([ok({ message: 'a\u0000b' })]))?.message).toBe(
      'Internal error: invalid byte sequence for encoding "UTF8": 0x00',
    );
  });

  it('refuses NUL anywhere in data, keys included', async () => {
    for (const data of [{ k: 'a\u0000' }, { 'k\u0000': 1 }, { deep: [{ x: ['\u0000'] }] }]) {
      expect(await storeError([ok({ data })])).toEqual({
        code: -32603,
        message: 'Internal error: unsupported Unicode escape sequence',
      });
    }
  });

  it('stores null, {} and missing data as null, and other JSON as sent', async () => {
    const values = [null, {}, undefined, { a: [1, { b: 2 }] }, [1, 2], 'text', 42];
    await store(values.map((data) => ok({ data })));
    expect(emulator.stored().map((r) => r.data)).toEqual([
      null,
      null,
      null,
      { a: [1, { b: 2 }] },
      [1, 2],
      'text',
      42,
    ]);
  });

  it('takes created_at as ISO-8601 (Z, offset, or none = UTC) and falls back to now', async () => {
    const before = Date.now();
    await store([
      ok({ created_at: '2026-11-24T03:35:01.134382Z' }),
      ok({ created_at: '2026-11-24T05:35:01+02:00' }),
      ok({ created_at: '2026-11-24T03:35:01' }),
      ok({ created_at: 'yesterday-ish' }),
      ok({ created_at: null }),
      ok({}),
    ]);
    const rows = emulator.stored();
    expect(rows.map((r) => r.created_at_iso).slice(0, 3)).toEqual([
      '2026-11-24T03:35:01.134382+00:00',
      '2026-11-24T03:35:01+00:00',
      '2026-11-24T03:35:01+00:00',
    ]);
    for (const row of rows.slice(3)) {
      expect(row.created_at.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(row.created_at.getTime()).toBeLessThanOrEqual(Date.now() + 1);
    }
    expect((await storeError([ok({ created_at: 1764000000 })]))?.code).toBe(-32603);
  });

  it('ignores ids in entries and numbers rows itself', async () => {
    await store([ok({ id: 999 }), ok({ id: 999 })]);
    const [a, b] = emulator.stored();
    expect(a?.id).not.toBe(999);
    expect(b?.id).toBe((a?.id ?? 0) + 1);
  });

  it('fails on non-object entries like Python would', async () => {
    expect(await storeError([ok(), 'oops'])).toEqual({
      code: -32603,
      message: "Internal error: 'str' object has no attribute 'get'",
    });
    expect((await storeError(5))?.message).toBe(
      "Internal error: object of type 'int' has no len()",
    );
  });
});
