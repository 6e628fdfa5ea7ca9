// Every export here is public API.

export {
  type Config,
  ConfigError,
  type ConfigErrorCode,
  loadConfig,
  redisSeeds,
} from './config/config.js';
export { exitOnSignals, loadConfigOrExit } from './config/process-lifecycle.js';
export {
  DeweyClient,
  type DeweyClientOptions,
  type DeweyConfig,
  deweyClientOptions,
} from './dewey/dewey-client.js';
export { DeweyConnection, type DeweyConnectionOptions } from './dewey/dewey-connection.js';
export {
  DeweyError,
  type DeweyErrorCode,
  DeweyProtocolError,
  DeweyRejectedError,
  DeweyUnavailableError,
  type UnavailableReason,
} from './dewey/dewey-errors.js';
export {
  type ClearResult,
  type DeweyClearArgs,
  type DeweyLogEntry,
  type DeweyQueryArgs,
  type LogRow,
  logRowSchema,
  type StatsResult,
  type StoreResult,
} from './dewey/dewey-types.js';
export { addLogJobs, type RecentWrite } from './queue/add-log-jobs.js';
export {
  keptEntryCount,
  type LogJobSize,
  logJobName,
  parseLogJobName,
} from './queue/bound/log-job-name.js';
export { QueueBound } from './queue/bound/queue-bound.js';
export { isAtLeast, LEVELS, type Level, levelRank, parseLevel } from './queue/levels.js';
export { type LogEntry, logEntrySchema } from './queue/log-entry.js';
export {
  jobEntries,
  LOG_JOB_OPTIONS,
  LOG_QUEUE_STREAMS,
  type LogJobData,
  type UnreadableJobData,
} from './queue/log-job.js';
export { JobAppender } from './queue/open-job/append-to-job.js';
export { type QueueShard, queueShards, shardShare } from './queue/queue-shards.js';
export {
  CursorError,
  decodeCursor,
  encodeCursor,
  type RecentCursor,
  type ShardPosition,
} from './queue/recent/recent-cursor.js';
export {
  RecentReader,
  type RecentReadOptions,
  type RecentReadResult,
  type RecentSpan,
} from './queue/recent/recent-reader.js';
export {
  acceptedMicros,
  GROUP_SEPARATOR,
  RECENT_BUCKET_MS,
  type RecentBounds,
  type RecentGroup,
  type RecentIndex,
  type RecentKeys,
  type RecentWriteFailure,
} from './queue/recent/recent-window.js';
export { replaceNulInJson, type SanitizedJson } from './queue/sanitize.js';
export { normalizeUuid } from './queue/uuid.js';
export { promoteJob } from './redis/library-internals.js';
export {
  createRedisConnection,
  duplicateConnection,
  isCluster,
  masters,
  type RedisConnection,
  type RedisConnectionOptions,
  redisErrorCode,
} from './redis/redis-connection.js';
export {
  BULLMQ_PREFIX,
  boundAccountKey,
  bullmqKey,
  clusterShardPrefix,
  mcpSessionsKey,
  REDIS_KEYS,
  recentAccountKey,
  recentWindowKey,
  workerHeartbeatKey,
  workerMetricsKey,
} from './redis/redis-keys.js';
export { callsInFlightMessage } from './transport/calls-in-flight.js';
export {
  CallsInFlightLimitError,
  ConnectError,
  ConnectFailedError,
  ConnectTimeoutError,
  InvalidFrameError,
  PeerUnresponsiveError,
  TransportClosedError,
  TransportError,
  type TransportErrorCode,
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
export { type BackoffOptions, backoffDelay } from './util/backoff.js';
export { parseDuration } from './util/duration.js';
export { GodotError } from './util/godot-error.js';
export { type Logger, silentLogger } from './util/logger.js';
export { isSensitiveParam, redactUrl } from './util/redact-url.js';
export { withDefaults } from './util/with-defaults.js';
export { TimeoutError, withTimeout } from './util/with-timeout.js';
