// Every export here is public API (style.md, principle 6).
export { type BackoffOptions, backoffDelay } from './backoff.js';
export { type Config, ConfigError, loadConfig, redisSeeds } from './config.js';
export {
  DeweyClient,
  type DeweyClientOptions,
  type DeweyConfig,
  deweyClientOptions,
} from './dewey-client.js';
export { DeweyConnection, type DeweyConnectionOptions } from './dewey-connection.js';
export {
  DeweyError,
  DeweyProtocolError,
  DeweyRejectedError,
  DeweyUnavailableError,
  type UnavailableReason,
} from './dewey-errors.js';
export {
  type ClearResult,
  type DeweyClearArgs,
  type DeweyLogEntry,
  type DeweyQueryArgs,
  type LogRow,
  logRowSchema,
  type StatsResult,
  type StoreResult,
} from './dewey-types.js';
export { isAtLeast, LEVELS, type Level, levelRank, parseLevel } from './levels.js';
export { type LogEntry, logEntrySchema } from './log-entry.js';
export {
  addLogJobs,
  boundAccountKey,
  jobEntries,
  keptEntryCount,
  LOG_JOB_OPTIONS,
  LOG_QUEUE_STREAMS,
  type LogJobData,
  logJobName,
} from './log-job.js';
export { type Logger, silentLogger } from './logger.js';
export { exitOnSignals, loadConfigOrExit } from './process-lifecycle.js';
export { type QueueShard, queueShards, shardShare } from './queue-shards.js';
export { isSensitiveParam, redactUrl } from './redact-url.js';
export {
  createRedisConnection,
  duplicateConnection,
  isCluster,
  masters,
  type RedisConnection,
  type RedisConnectionOptions,
  redisErrorCode,
} from './redis-connection.js';
export {
  REDIS_KEYS,
  workerHeartbeatKey,
  workerMetricsIndexKey,
  workerMetricsKey,
} from './redis-keys.js';
export { replaceNulInJson, type SanitizedJson } from './sanitize.js';
export {
  type ClearInput,
  clearInputSchema,
  clearInputShape,
  type LogInput,
  levelSchema,
  logInputSchema,
  logInputShape,
  normalizeUuid,
  type QueryInput,
  queryInputSchema,
  queryInputShape,
  type SetLevelInput,
  setLevelInputSchema,
  setLevelInputShape,
} from './tool-inputs.js';
export {
  CALLS_IN_FLIGHT_ERROR_CODE,
  callsInFlightMessage,
} from './transport/calls-in-flight.js';
export {
  CallsInFlightLimitError,
  ConnectFailedError,
  ConnectTimeoutError,
  InvalidFrameError,
  PeerUnresponsiveError,
  TransportClosedError,
  TransportError,
  UnreadRepliesLimitError,
} from './transport/transport-errors.js';
export {
  DEFAULT_UNREAD_STALL_TIMEOUT_MS,
  type UnreadReplyLimits,
} from './transport/unread-reply-guard.js';
export {
  type CreateWebSocket,
  DEFAULT_MAX_INCOMING_FRAME_BYTES,
  WebSocketClientTransport,
  type WebSocketClientTransportOptions,
} from './transport/websocket-client-transport.js';
export { WebSocketServerTransport } from './transport/websocket-server-transport.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_PING_INTERVAL_MS,
  EVICT_GRACE_MS,
  MCP_SUBPROTOCOL,
  selectSubprotocol,
  type WebSocketServerTransportOptions,
} from './transport/websocket-server-transport-options.js';
export { withDefaults } from './with-defaults.js';
export { withTimeout } from './with-timeout.js';
