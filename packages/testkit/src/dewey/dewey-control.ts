import type { DeweyEmulator } from './dewey-emulator.js';
import { DeweyErrorCode, DeweyRpcError } from './dewey-rpc-error.js';

/**
 * Emulator-only JSON-RPC method (the real Dewey answers it with -32601): lets
 * a test in another process drive an emulator started by
 * `dewey-emulator-main`, over an ordinary WebSocket to the same port. Its
 * replies are plain `result` objects, never delayed, held or rejected; send it
 * on its own connection, since a held request blocks the ones behind it.
 */
export const DEWEY_CONTROL_METHOD = 'emulator/control';

/**
 * Parameters of `emulator/control`, by `action`:
 * - `stored` → `{rows}`: the stored rows, `data` as sent;
 * - `count` → `{count}`: number of stored rows;
 * - `calls` → the call counters;
 * - `delay` `{ms}` → `{delayMs}`: delay every later reply;
 * - `hold` `{storeFirst?}` → `{holding: true}`: hold store calls;
 * - `release` → `{released}`: let held store calls go;
 * - `drop` → `{dropped}`: cut every connection (this one too) after replying;
 * - `rejectNext` `{count?, code?, message?}` → `{rejecting}`: fail the next tool calls;
 * - `clear` → `{cleared}`: empty the store.
 */
export type DeweyControlParams =
  | { action: 'stored' | 'count' | 'calls' | 'release' | 'drop' | 'clear' }
  | { action: 'delay'; ms: number }
  | { action: 'hold'; storeFirst?: boolean }
  | { action: 'rejectNext'; count?: number; code?: number; message?: string };

/** A control's reply, and what to do once it is on the wire. */
export interface DeweyControlOutcome {
  result: unknown;
  afterSend?: () => void;
}

/** Runs one `emulator/control` request against `emulator`. */
export function runDeweyControl(emulator: DeweyEmulator, params: unknown): DeweyControlOutcome {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<
    string,
    unknown
  >;
  switch (p.action) {
    case 'stored':
      return { result: { rows: emulator.stored() } };
    case 'count':
      return { result: { count: emulator.storedCount } };
    case 'calls':
      return { result: emulator.calls };
    case 'delay':
      emulator.setReplyDelay(number(p.ms, 'ms'));
      return { result: { delayMs: emulator.replyDelayMs } };
    case 'hold':
      emulator.hold({ storeFirst: p.storeFirst === true });
      return { result: { holding: true } };
    case 'release':
      return { result: { released: emulator.release() } };
    case 'drop':
      // After the reply is sent, so the caller learns how many it cut.
      return {
        result: { dropped: emulator.connectionCount },
        afterSend: () => emulator.dropConnections(),
      };
    case 'rejectNext': {
      const count = p.count === undefined ? 1 : number(p.count, 'count');
      const code = p.code === undefined ? undefined : integer(p.code, 'code');
      const message = typeof p.message === 'string' ? p.message : undefined;
      emulator.rejectNext(count, { code, message });
      return { result: { rejecting: count } };
    }
    case 'clear':
      return { result: { cleared: emulator.clear() } };
    default:
      throw invalid(`unknown action ${JSON.stringify(p.action)}`);
  }
}

function number(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`${name} must be a non-negative number`);
  }
  return value;
}

function integer(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalid(`${name} must be an integer`);
  return value;
}

function invalid(detail: string): DeweyRpcError {
  return new DeweyRpcError(DeweyErrorCode.InvalidParams, `Invalid params: ${detail}`);
}
