import { Writable } from 'node:stream';
import { createGodotLogger } from './godot-logger.js';
import type { GodotLoggerOptions } from './godot-logger-options.js';
import { fromPinoLevel } from './levels.js';

/** Options of the pino transport: the logger's, passed through `pino.transport({ options })`. */
export type GodotTransportOptions = Omit<GodotLoggerOptions, 'onRefused'>;

/**
 * The pino transport (`pino.transport({ target: '@godot/client/pino', options })`),
 * run by pino in a worker thread. pino writes newline-delimited JSON records;
 * each becomes one entry: pino's level mapped to Godot's (fatal is ERROR),
 * `msg` is the message, `trace_id` (or `traceId`) the trace id, and every
 * other field, `time`, `pid` and `hostname` included, goes into `data`.
 * Note: pino's `transport.end()` blocks the calling thread until the worker
 * finished; entries still unsent then wait at most `flushTimeoutMs`.
 */
export default function godotTransport(options: GodotTransportOptions): Writable {
  const logger = createGodotLogger(options);
  // Disabled: pino's records are not even parsed.
  if (!logger.enabled) return discard();
  let rest = '';
  const record = (line: string) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      logger.log({ level: 'INFO', message: line });
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      logger.log({ level: 'INFO', message: line });
      return;
    }
    const { level, msg, trace_id, traceId, ...data } = parsed as Record<string, unknown>;
    const trace = trace_id ?? traceId;
    logger.log({
      level: fromPinoLevel(level),
      message: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
      trace_id: typeof trace === 'string' ? trace : null,
      data,
    });
  };
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) record(line);
      callback();
    },
    final(callback) {
      record(rest);
      rest = '';
      logger.close().then(() => callback(), callback);
    },
  });
  // pino's `logger.flush(cb)` reaches this through thread-stream: it resolves
  // once Godot answered everything logged so far (or after `flushTimeoutMs`).
  return Object.assign(stream, {
    flush(callback: (error?: Error) => void): void {
      logger.flush().then(() => callback(), callback);
    },
  });
}

/** A stream that takes pino's records and does nothing with them, flush included. */
function discard(): Writable {
  const stream = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  return Object.assign(stream, {
    flush(callback: (error?: Error) => void): void {
      callback();
    },
  });
}
