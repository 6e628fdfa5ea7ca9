// @godot/client: log from a Node service through Godot. Every export here is
// public API; the pino transport is `@godot/client/pino`.
export type { ExchangeError, McpExchange, McpExchangeInput } from './exchange.js';
export { createGodotLogger, GodotLogger, type GodotLogInput } from './godot-logger.js';
export type { GodotLoggerOptions, GodotRefusal } from './godot-logger-options.js';
export { GODOT_LEVELS, type GodotLevel } from './levels.js';
export type { GodotLoggerStats } from './log-pipeline.js';
export { DEFAULT_REDACT_KEYS, REDACTED } from './redact.js';
