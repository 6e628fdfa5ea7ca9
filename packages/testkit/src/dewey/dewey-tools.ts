import {
  DeweyErrorCode,
  DeweyRpcError,
  internalError,
  printed,
  pythonTypeName,
  validationError,
} from './dewey-rpc-error.js';
import { DEWEY_TOOL_NAMES, type DeweyToolName } from './dewey-tool-list.js';
import { isFalsy, prepareBatch } from './store/dewey-batch.js';
import { type DeweyLevel, toDeweyLevel } from './store/dewey-levels.js';
import type { DeweyStore, LogFilter, StoredLog } from './store/dewey-store.js';
import { formatIsoMicros } from './store/iso-time.js';
import {
  argumentError,
  checkTextStorable,
  encodeText,
  encodeTimestamptz,
  encodeUuid,
} from './store/pg-params.js';

/** What a tool call needs from the emulator. */
export interface DeweyToolContext {
  store: DeweyStore;
  /** Dewey's clock, epoch microseconds. */
  nowMicros: () => number;
  /** Make time filters and clear fail like the real Dewey. */
  realDeweyBugs: boolean;
  /** Dewey's retention, the default age cut-off of `dewey_clear_logs`. */
  retentionDays: number;
  /** Told about every stored batch. */
  onInsert: (rows: StoredLog[]) => void;
}

// Each tool is a Python coroutine called as `tool(**arguments)`; these are its
// keyword parameters, so bad arguments fail with Python's TypeError messages.
const PARAMETERS: Record<DeweyToolName, { required: string[]; optional: string[] }> = {
  dewey_store_logs_batch: { required: ['logs'], optional: [] },
  dewey_query_logs: {
    required: [],
    optional: ['trace_id', 'component', 'level', 'start_time', 'end_time', 'search', 'limit'],
  },
  dewey_clear_logs: { required: [], optional: ['before_time', 'component', 'level'] },
  dewey_get_log_stats: { required: [], optional: [] },
};

/** Dewey's default and ceiling for `limit` (docs/dewey-contract.md#dewey_query_logs). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Runs one `tools/call` and returns the payload Dewey would JSON-encode into
 * its text content, or throws the {@link DeweyRpcError} it would answer.
 */
export function callDeweyTool(name: unknown, args: unknown, ctx: DeweyToolContext): unknown {
  const tool = DEWEY_TOOL_NAMES.find((known) => known === name);
  if (!tool) {
    throw new DeweyRpcError(DeweyErrorCode.MethodNotFound, `Unknown tool: ${printed(name)}`);
  }
  const kwargs = bindArguments(tool, args);
  switch (tool) {
    case 'dewey_store_logs_batch': {
      const rows = ctx.store.insert(prepareBatch(kwargs.logs, ctx.nowMicros));
      if (rows.length === 0) return { status: 'ok', message: 'No logs to store.' };
      ctx.onInsert(rows);
      return { status: 'ok', inserted_count: rows.length };
    }
    case 'dewey_query_logs':
      return queryLogs(kwargs, ctx);
    case 'dewey_clear_logs':
      return clearLogs(kwargs, ctx);
    case 'dewey_get_log_stats':
      return ctx.store.stats();
  }
}

function bindArguments(tool: DeweyToolName, args: unknown): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw internalError(
      `${tool}() argument after ** must be a mapping, not ${pythonTypeName(args)}`,
    );
  }
  const { required, optional } = PARAMETERS[tool];
  for (const key of Object.keys(args)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw internalError(`${tool}() got an unexpected keyword argument '${key}'`);
    }
  }
  const missing = required.filter((key) => !(key in args));
  if (missing.length > 0) {
    const names = missing.map((key) => `'${key}'`).join(' and ');
    const noun = missing.length === 1 ? 'argument' : 'arguments';
    throw internalError(
      `${tool}() missing ${missing.length} required positional ${noun}: ${names}`,
    );
  }
  return args as Record<string, unknown>;
}

/**
 * Builds the filter the way Dewey builds its SQL: each truthy argument adds
 * the next `$N` parameter in this order, Python-side checks run first, then
 * asyncpg encodes every parameter in order, then PostgreSQL checks text.
 */
function queryLogs(kwargs: Record<string, unknown>, ctx: DeweyToolContext): unknown {
  const filter: LogFilter = {};
  const encoders: Array<() => void> = [];
  let index = 0;
  const { trace_id, component, level, start_time, end_time, search } = kwargs;
  if (!isFalsy(trace_id)) {
    const n = ++index;
    encoders.push(() => {
      filter.traceId = encodeUuid(n, trace_id);
    });
  }
  if (!isFalsy(component)) {
    const n = ++index;
    encoders.push(() => {
      filter.component = encodeText(n, component);
    });
  }
  if (!isFalsy(level)) {
    filter.minLevel = minimumLevel(level);
    ++index;
  }
  const timestamptz = { realDeweyBugs: ctx.realDeweyBugs };
  if (!isFalsy(start_time)) {
    const n = ++index;
    encoders.push(() => {
      filter.startMicros = encodeTimestamptz(n, start_time, timestamptz);
    });
  }
  if (!isFalsy(end_time)) {
    const n = ++index;
    encoders.push(() => {
      filter.endMicros = encodeTimestamptz(n, end_time, timestamptz);
    });
  }
  if (!isFalsy(search)) {
    const n = ++index;
    encoders.push(() => {
      filter.search = encodeText(n, search);
    });
  }
  const limit = clampLimit('limit' in kwargs ? kwargs.limit : DEFAULT_LIMIT);
  const limitIndex = ++index;
  for (const encode of encoders) encode();
  if (!Number.isInteger(limit)) {
    throw argumentError(limitIndex, limit, "'float' object cannot be interpreted as an integer");
  }
  checkTextStorable(filter.component ?? null);
  checkTextStorable(filter.search ?? null);
  return ctx.store.query(filter, limit, ctx.nowMicros());
}

/**
 * Intended behaviour of `dewey_clear_logs`: delete rows older than
 * `before_time` (default now minus retention). `level`, like in queries, is a
 * minimum: `WARN` deletes WARN and ERROR rows. With `realDeweyBugs` the
 * `before_time` string (given or defaulted) fails as `$1`, on every call.
 */
function clearLogs(kwargs: Record<string, unknown>, ctx: DeweyToolContext): unknown {
  const { component, level } = kwargs;
  const retentionMicros = ctx.retentionDays * 86_400_000_000;
  const beforeTime = isFalsy(kwargs.before_time)
    ? formatIsoMicros(ctx.nowMicros() - retentionMicros)
    : kwargs.before_time;
  const filter: LogFilter = {};
  if (!isFalsy(level)) filter.minLevel = minimumLevel(level);
  filter.beforeMicros = encodeTimestamptz(1, beforeTime, { realDeweyBugs: ctx.realDeweyBugs });
  if (!isFalsy(component)) filter.component = encodeText(2, component);
  checkTextStorable(filter.component ?? null);
  return { status: 'ok', deleted_count: ctx.store.delete(filter) };
}

function minimumLevel(level: unknown): DeweyLevel {
  if (typeof level !== 'string') {
    throw internalError(`'${pythonTypeName(level)}' object has no attribute 'upper'`);
  }
  const parsed = toDeweyLevel(level);
  if (!parsed) throw validationError(`Invalid level: ${level}`);
  return parsed;
}

// `max(1, min(limit, 1000))`: bools are ints in Python, anything that is not
// a number cannot be compared with 1000.
function clampLimit(limit: unknown): number {
  if (typeof limit === 'boolean') return 1;
  if (typeof limit !== 'number') {
    throw internalError(
      `'<' not supported between instances of 'int' and '${pythonTypeName(limit)}'`,
    );
  }
  return Math.max(1, Math.min(limit, MAX_LIMIT));
}
