import { performance } from 'node:perf_hooks';
import type { GodotLogInput } from './godot-logger.js';

/** One MCP request to log with `GodotLogger.exchange`. */
export interface McpExchangeInput {
  /** The JSON-RPC method, e.g. `tools/call`. */
  method: string;
  /** The JSON-RPC id: it pairs the response with the request. */
  id: number | string;
  /** More to log with the request (e.g. `{ tool: 'forecast' }`); `method` and `id` are set over it. @default undefined */
  data?: Record<string, unknown>;
  /** Level of the request and of an `ok` response. @default 'INFO' */
  level?: GodotLogInput['level'];
  /** Level of an `error` response. @default 'WARN' */
  errorLevel?: GodotLogInput['level'];
  /** @default the logger's (`withTrace`) */
  trace_id?: string | null;
  /** @default the logger's */
  component?: string;
}

/** The response side of an exchange; the first call logs it, later ones do nothing. */
export interface McpExchange {
  /**
   * Logs a success. `data.result` is `result` when given, else `true`: the
   * full result of a call is rarely worth its size in a log, so pass a short
   * summary (`{ items: 3 }`) when one helps.
   */
  ok(result?: unknown): void;
  /**
   * Logs a failure: `data.error` is `{ code?, message? }`, read from an
   * `Error` (its `code` property too), a JSON-RPC error object `{code,
   * message}`, a string (the message) or a number (the code).
   */
  error(error: unknown): void;
}

/** The error's summary as `data.error` carries it. */
export interface ExchangeError {
  code?: number | string;
  message?: string;
}

/** Characters of an error message kept. */
const MAX_ERROR_MESSAGE_CHARS = 500;

/** An exchange whose methods do nothing: a disabled logger's, or one that failed to start. */
export const NO_EXCHANGE: McpExchange = Object.freeze({ ok() {}, error() {} });

/**
 * Logs `input`'s request through `log` now, and returns its response side.
 * The entries follow the convention Godot's trace timeline reads
 * (`logger_trace`): the request's `data` has `method` and `id`; the
 * response's has the same `method` and `id`, `duration_ms` (measured here,
 * on a monotonic clock) and `result` or `error`. `dropped` counts an entry
 * that could not be built (e.g. a getter in `data` that throws): nothing
 * here throws into the caller.
 */
export function startExchange(
  log: (entry: GodotLogInput) => void,
  dropped: () => void,
  input: McpExchangeInput,
): McpExchange {
  const { method, id, trace_id, component } = input;
  const started = performance.now();
  log({
    level: input.level ?? 'INFO',
    message: `MCP request ${method}`,
    data: { ...input.data, method, id },
    trace_id,
    component,
  });
  let answered = false;
  const respond = (level: GodotLogInput['level'], outcome: 'ok' | 'error', value: object) => {
    if (answered) return;
    answered = true;
    const duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
    log({
      level,
      message: `MCP response ${method}: ${outcome}`,
      data: { method, id, ...value, duration_ms },
      trace_id,
      component,
    });
  };
  return {
    ok(result?: unknown) {
      try {
        respond(input.level ?? 'INFO', 'ok', { result: result === undefined ? true : result });
      } catch {
        dropped();
      }
    },
    error(error: unknown) {
      try {
        respond(input.errorLevel ?? 'WARN', 'error', { error: exchangeError(error) });
      } catch {
        dropped();
      }
    },
  };
}

/** `data.error` of a failed exchange, from whatever was thrown or answered. */
export function exchangeError(error: unknown): ExchangeError {
  if (typeof error === 'string') return { message: cut(error) };
  if (typeof error === 'number') return { code: error };
  if (typeof error === 'bigint') return { code: String(error) };
  if (error === null || typeof error !== 'object') return { message: String(error) };
  const { code, message } = error as { code?: unknown; message?: unknown };
  const summary: ExchangeError = {};
  if (typeof code === 'number' || typeof code === 'string') summary.code = code;
  if (typeof message === 'string') summary.message = cut(message);
  else if (summary.code === undefined) summary.message = cut(String(error));
  return summary;
}

/** At most MAX_ERROR_MESSAGE_CHARS, `…` included, never half a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_ERROR_MESSAGE_CHARS) return text;
  let end = MAX_ERROR_MESSAGE_CHARS - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
