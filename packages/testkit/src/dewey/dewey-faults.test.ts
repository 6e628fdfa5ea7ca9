import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawWsClient } from '../raw-ws-client.js';
import { DEWEY_CONTROL_METHOD } from './dewey-control.js';
import { sendDeweyControl } from './dewey-control-client.js';
import { DeweyEmulator } from './dewey-emulator.js';
import { DeweyFaults } from './dewey-faults.js';
import { DeweyRpcError } from './dewey-rpc-error.js';
import { prepareBatch } from './store/dewey-batch.js';
import { DeweyStore, type StoredLog } from './store/dewey-store.js';

const logs = (...messages: string[]) =>
  messages.map((message) => ({
    component: 'faults',
    level: 'WARN',
    message,
    data: { m: message },
  }));

describe('DeweyEmulator test controls', () => {
  let emulator: DeweyEmulator;
  let client: RawWsClient;

  beforeAll(async () => {
    emulator = await DeweyEmulator.start();
  });
  afterAll(() => emulator.close());
  afterEach(async () => {
    emulator.release();
    await client?.close();
    emulator.clear();
    emulator.resetCalls();
  });

  it('holds store calls unanswered and unstored until release', async () => {
    client = await RawWsClient.connect(emulator.url);
    emulator.hold();
    const reply = client.callTool('dewey_store_logs_batch', { logs: logs('a', 'b') });
    await emulator.waitForHeld(1);
    expect(emulator.storedCount).toBe(0);
    // Queries are not held, but they queue behind the held call on its connection.
    const other = await RawWsClient.connect(emulator.url);
    expect(await other.callToolPayload('dewey_query_logs', {})).toEqual([]);
    await other.close();
    expect(emulator.release()).toBe(1);
    expect((await reply).result).toBeDefined();
    expect(emulator.storedCount).toBe(2);
  });

  it('with storeFirst, stores the batch but withholds the acknowledgement', async () => {
    client = await RawWsClient.connect(emulator.url);
    emulator.hold({ storeFirst: true });
    const reply = client.callTool('dewey_store_logs_batch', { logs: logs('a') });
    await emulator.waitForHeld(1);
    expect(emulator.storedCount).toBe(1);
    emulator.release();
    expect((await reply).result).toBeDefined();
  });

  it('a held batch of a vanished client is still processed on release', async () => {
    client = await RawWsClient.connect(emulator.url);
    emulator.hold();
    client.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'dewey_store_logs_batch', arguments: { logs: logs('late') } },
    });
    await emulator.waitForHeld(1);
    client.socket.terminate();
    await client.closed;
    emulator.release();
    await emulator.waitForRows(1);
  });

  it('stop() abandons held calls: nothing stored, nothing answered', async () => {
    const own = await DeweyEmulator.start();
    try {
      const c = await RawWsClient.connect(own.url);
      own.hold();
      c.send({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'dewey_store_logs_batch', arguments: { logs: logs('lost') } },
      });
      await own.waitForHeld(1);
      await own.stop();
      expect((await c.closed).code).toBe(1006);
      expect(own.heldCount).toBe(0);
      expect(own.storedCount).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('rejectNext fails the next tool calls, then behaves again', async () => {
    client = await RawWsClient.connect(emulator.url);
    emulator.rejectNext(2);
    emulator.rejectNext(1, { code: -32000, message: 'Batch size 5000 exceeds maximum 1000' });
    const store = { logs: logs('x') };
    expect((await client.callTool('dewey_store_logs_batch', store)).error).toEqual({
      code: -32603,
      message: 'Internal error: injected failure',
    });
    expect((await client.callTool('dewey_get_log_stats', {})).error?.code).toBe(-32603);
    expect((await client.callTool('dewey_store_logs_batch', store)).error).toEqual({
      code: -32000,
      message: 'Batch size 5000 exceeds maximum 1000',
    });
    // Other methods are not affected.
    expect((await client.request('initialize', {})).result).toBeDefined();
    expect((await client.callTool('dewey_store_logs_batch', store)).result).toBeDefined();
    expect(emulator.storedCount).toBe(1);
    expect(emulator.calls).toMatchObject({ store: 3, stats: 1, rejected: 3, toolCalls: 4 });
    expect(emulator.calls.storeBatchSizes).toEqual([1, 1, 1]);
  });

  it('dropConnections cuts clients with 1006 and keeps listening', async () => {
    client = await RawWsClient.connect(emulator.url);
    expect(emulator.dropConnections()).toBe(1);
    expect((await client.closed).code).toBe(1006);
    client = await RawWsClient.connect(emulator.url);
    expect((await client.request('tools/list')).result).toBeDefined();
  });

  it('reports stored batches through onStore and waitForRows', async () => {
    client = await RawWsClient.connect(emulator.url);
    const seen: StoredLog[][] = [];
    const off = emulator.onStore((rows) => seen.push(rows));
    const waiting = emulator.waitForRows(3);
    await client.callTool('dewey_store_logs_batch', { logs: logs('1', '2') });
    await client.callTool('dewey_store_logs_batch', { logs: logs('3') });
    const rows = await waiting;
    off();
    expect(rows.map((r) => r.message)).toEqual(['1', '2', '3']);
    expect(rows[0]).toMatchObject({ component: 'faults', level: 'WARN', data: { m: '1' } });
    expect(rows[0]?.created_at).toBeInstanceOf(Date);
    expect(seen.map((batch) => batch.length)).toEqual([2, 1]);
    await expect(emulator.waitForRows(10, 50)).rejects.toThrow(/timed out after 50 ms/);
  });

  it('is controllable over the WebSocket with emulator/control', async () => {
    client = await RawWsClient.connect(emulator.url);
    await client.callTool('dewey_store_logs_batch', { logs: logs('ctl') });
    expect(await sendDeweyControl(emulator.url, { action: 'count' })).toEqual({ count: 1 });
    const { rows } = (await sendDeweyControl(emulator.url, { action: 'stored' })) as {
      rows: Array<Record<string, unknown>>;
    };
    expect(rows[0]).toMatchObject({ message: 'ctl', data: { m: 'ctl' } });
    expect(await sendDeweyControl(emulator.url, { action: 'calls' })).toMatchObject({ store: 1 });

    await sendDeweyControl(emulator.url, { action: 'rejectNext', count: 1, code: -32000 });
    expect((await client.callTool('dewey_get_log_stats', {})).error?.code).toBe(-32000);

    await sendDeweyControl(emulator.url, { action: 'delay', ms: 40 });
    const started = Date.now();
    await client.request('tools/list');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    await sendDeweyControl(emulator.url, { action: 'delay', ms: 0 });

    await sendDeweyControl(emulator.url, { action: 'hold' });
    const held = client.callTool('dewey_store_logs_batch', { logs: logs('h') });
    await emulator.waitForHeld(1);
    expect(await sendDeweyControl(emulator.url, { action: 'release' })).toEqual({ released: 1 });
    await held;

    expect(await sendDeweyControl(emulator.url, { action: 'clear' })).toEqual({ cleared: 2 });
    const bad = await client.request(DEWEY_CONTROL_METHOD, { action: 'explode' });
    expect(bad.error?.code).toBe(-32602);

    const dropped = (await sendDeweyControl(emulator.url, { action: 'drop' })) as {
      dropped: number;
    };
    expect(dropped.dropped).toBe(2);
    expect((await client.closed).code).toBe(1006);
  });
});

describe('DeweyFaults on its own', () => {
  it('holds until release, or abandons held calls, and keeps holding until released', async () => {
    const faults = new DeweyFaults(new DeweyStore());
    expect(faults.holding).toBeUndefined();
    faults.hold({ storeFirst: true });
    expect(faults.holding).toEqual({ storeFirst: true });
    const abandoned = faults.waitForRelease();
    await faults.waitForHeld(1, 100);
    faults.abandonHeld();
    expect(await abandoned).toBe(false);
    expect(faults.holding).toEqual({ storeFirst: true });
    const released = faults.waitForRelease();
    expect(faults.release()).toBe(1);
    expect(await released).toBe(true);
    expect(faults.holding).toBeUndefined();
  });

  it('hands out injected rejections in order and counts them', () => {
    const faults = new DeweyFaults(new DeweyStore());
    faults.rejectNext(1, { code: -32000, message: 'first' });
    faults.rejectNext(1);
    const first = faults.takeRejection();
    expect(first).toBeInstanceOf(DeweyRpcError);
    expect(first).toMatchObject({ code: -32000, message: 'first' });
    expect(faults.takeRejection()).toMatchObject({
      code: -32603,
      message: 'Internal error: injected failure',
    });
    expect(faults.takeRejection()).toBeUndefined();
    expect(faults.calls.rejected).toBe(2);
  });

  it('waits for rows of the store it was given', async () => {
    const store = new DeweyStore();
    const faults = new DeweyFaults(store);
    const waiting = faults.waitForRows(1, 1000);
    const rows = store.insert(prepareBatch(logs('one'), () => 0));
    faults.notifyStored(rows);
    expect((await waiting).map((row) => row.message)).toEqual(['one']);
  });
});
