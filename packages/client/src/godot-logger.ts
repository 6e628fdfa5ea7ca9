import type { LogEntry } from './entry-buffer.js';
import { type GodotLoggerOptions, resolveLoggerOptions } from './godot-logger-options.js';
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

/**
 * Logs through Godot. Every method returns at once and never throws: entries
 * go into a bounded buffer and are sent on one persistent connection.
 */
export class GodotLogger {
  /** @internal use `createGodotLogger` */
  constructor(
    private readonly core: LoggerCore,
    private readonly traceId: string | null = null,
  ) {}

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
    const { pipeline } = this.core;
    try {
      const level = parseLevel(input.level);
      if (!level) {
        pipeline.countDropped();
        return;
      }
      if (!passes(level, this.core.level)) {
        pipeline.countFiltered();
        return;
      }
      pipeline.push(this.#entry(level, input));
    } catch {
      // Never into the caller (e.g. a getter in `data` that throws).
      pipeline.countDropped();
    }
  }

  /** A logger sharing this one's connection and buffer that stamps `trace_id` on every entry. */
  withTrace(traceId: string): GodotLogger {
    return new GodotLogger(this.core, traceId);
  }

  /** Counters, shared with every `withTrace` child. */
  stats(): GodotLoggerStats {
    return this.core.pipeline.stats();
  }

  /**
   * Waits until everything logged so far was answered by Godot; resolves false
   * after `timeoutMs` (default `flushTimeoutMs`) if Godot is away. Never rejects.
   */
  flush(timeoutMs = this.core.flushTimeoutMs): Promise<boolean> {
    return this.core.pipeline.flush(timeoutMs);
  }

  /** Flushes (bounded), then closes the connection. Later entries are counted as dropped. */
  close(): Promise<void> {
    return this.core.pipeline.close();
  }

  #entry(level: GodotLevel, input: GodotLogInput): LogEntry {
    let data: Record<string, unknown> | null = null;
    if (input.data !== undefined && input.data !== null) {
      const copied = this.core.redact(input.data);
      data =
        copied !== null && typeof copied === 'object' && !Array.isArray(copied)
          ? (copied as Record<string, unknown>)
          : { value: copied };
    }
    return {
      component: input.component ?? this.core.component,
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
 */
export function createGodotLogger(options: GodotLoggerOptions): GodotLogger {
  const resolved = resolveLoggerOptions(options);
  return new GodotLogger({
    pipeline: new LogPipeline(resolved),
    component: resolved.component,
    level: resolved.level,
    redact: createRedactor(resolved.redactKeys),
    flushTimeoutMs: resolved.flushTimeoutMs,
  });
}
