import type { LogEntry } from './entry-buffer.js';
import { type McpExchange, type McpExchangeInput, NO_EXCHANGE, startExchange } from './exchange.js';
import {
  type GodotLoggerOptions,
  loggingEnabled,
  resolveLoggerOptions,
} from './godot-logger-options.js';
import { type GodotLevel, parseLevel, passes } from './levels.js';
import { type GodotLoggerStats, LogPipeline } from './log-pipeline.js';
import { createRedactor } from './redact.js';

/** One entry for `log()`; `component` defaults to the logger's. */
export interface GodotLogInput {
  level: GodotLevel | Lowercase<GodotLevel> | 'WARNING' | 'warning';
  message: string;
  data?: Record<string, unknown> | null;
  trace_id?: string | null;
  component?: string;
}

interface LoggerCore {
  pipeline: LogPipeline;
  component: string;
  level: GodotLevel;
  redact: (data: unknown) => unknown;
  flushTimeoutMs: number;
}

/** What a disabled logger reports: nothing ever happens. */
const NO_STATS: Readonly<GodotLoggerStats> = Object.freeze({
  sent: 0,
  acked: 0,
  refused: 0,
  retried: 0,
  dropped: 0,
  filtered: 0,
  buffered: 0,
  inFlight: 0,
  connected: false,
});

/**
 * Logs through Godot. Every method returns at once and never throws: entries
 * go into a bounded buffer and are sent on one persistent connection.
 * Without a core (`enabled: false`) every method is a no-op.
 */
export class GodotLogger {
  /** @internal use `createGodotLogger` */
  constructor(
    private readonly core: LoggerCore | null,
    private readonly traceId: string | null = null,
  ) {}

  /** False when created with `enabled: false` (or `LOGGING_ENABLED=false`): nothing is sent. */
  get enabled(): boolean {
    return this.core !== null;
  }

  error(message: string, data?: Record<string, unknown>): void {
    this.log({ level: 'ERROR', message, data });
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.log({ level: 'WARN', message, data });
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.log({ level: 'INFO', message, data });
  }
  debug(message: string, data?: Record<string, unknown>): void {
    this.log({ level: 'DEBUG', message, data });
  }
  trace(message: string, data?: Record<string, unknown>): void {
    this.log({ level: 'TRACE', message, data });
  }

  /** Logs a whole entry. An unknown level counts the entry as dropped. */
  log(input: GodotLogInput): void {
    const core = this.core;
    if (core === null) return;
    const { pipeline } = core;
    try {
      const level = parseLevel(input.level);
      if (!level) {
        pipeline.countDropped();
        return;
      }
      if (!passes(level, core.level)) {
        pipeline.countFiltered();
        return;
      }
      pipeline.push(this.#entry(core, level, input));
    } catch {
      // Never into the caller (e.g. a getter in `data` that throws).
      pipeline.countDropped();
    }
  }

  /**
   * Logs an MCP request now and returns the means to log its response, in
   * the form Godot pairs into exchanges in a trace's timeline
   * (`logger_trace`): request `data` `{...data, method, id}`, response
   * `data` `{method, id, result | error, duration_ms}`.
   *
   *     const call = log.withTrace(traceId).exchange({ method: 'tools/call', id: 7 });
   *     try { call.ok(summarise(await handle(request))); } catch (error) { call.error(error); }
   */
  exchange(input: McpExchangeInput): McpExchange {
    const core = this.core;
    if (core === null) return NO_EXCHANGE;
    const dropped = () => core.pipeline.countDropped();
    try {
      return startExchange((entry) => this.log(entry), dropped, input);
    } catch {
      // Never into the caller (e.g. a getter in `data` that throws).
      dropped();
      return NO_EXCHANGE;
    }
  }

  /** A logger sharing this one's connection and buffer that stamps `trace_id` on every entry. */
  withTrace(traceId: string): GodotLogger {
    return this.core === null ? this : new GodotLogger(this.core, traceId);
  }

  /** Counters, shared with every `withTrace` child. */
  stats(): GodotLoggerStats {
    return this.core === null ? { ...NO_STATS } : this.core.pipeline.stats();
  }

  /**
   * Waits until everything logged so far was answered by Godot; resolves false
   * after `timeoutMs` (default `flushTimeoutMs`) if Godot is away. Never rejects.
   */
  flush(timeoutMs?: number): Promise<boolean> {
    if (this.core === null) return Promise.resolve(true);
    return this.core.pipeline.flush(timeoutMs ?? this.core.flushTimeoutMs);
  }

  /** Flushes (bounded), then closes the connection. Later entries are counted as dropped. */
  close(): Promise<void> {
    return this.core === null ? Promise.resolve() : this.core.pipeline.close();
  }

  #entry(core: LoggerCore, level: GodotLevel, input: GodotLogInput): LogEntry {
    let data: Record<string, unknown> | null = null;
    if (input.data !== undefined && input.data !== null) {
      const copied = core.redact(input.data);
      data =
        copied !== null && typeof copied === 'object' && !Array.isArray(copied)
          ? (copied as Record<string, unknown>)
          : { value: copied };
    }
    return {
      component: input.component ?? core.component,
      level,
      message: typeof input.message === 'string' ? input.message : String(input.message),
      trace_id: input.trace_id ?? this.traceId,
      data,
    };
  }
}

/**
 * Creates a logger with its own connection to Godot. Throws only for invalid
 * options (at start); after that, nothing it does throws into the caller.
 * With `enabled: false` (or `LOGGING_ENABLED=false`, read here, once) it
 * opens nothing and every call is a no-op.
 */
export function createGodotLogger(options: GodotLoggerOptions): GodotLogger {
  if (!loggingEnabled(options.enabled, process.env)) return new GodotLogger(null);
  const resolved = resolveLoggerOptions(options);
  return new GodotLogger({
    pipeline: new LogPipeline(resolved),
    component: resolved.component,
    level: resolved.level,
    redact: createRedactor(resolved.redactKeys),
    flushTimeoutMs: resolved.flushTimeoutMs,
  });
}
