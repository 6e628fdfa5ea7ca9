import { withTimeout } from '@godot/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server instance (docs/product.md#metrics). */
export interface ServerMetrics {
  registry: Registry;
  received: Counter<'level'>;
  queued: Counter<'level'>;
  filtered: Counter<'level'>;
  /** Entries refused before queueing, by reason (invalid, too_large, redis). */
  refused: Counter<'reason'>;
  dropped: Counter;
  /** WebSocket frames refused before reaching a tool: not JSON, binary, batches, too large. */
  framesRefused: Counter<'reason'>;
  /** Open WebSocket connections. */
  websocketConnections: Gauge;
  /** WebSocket upgrades refused, by reason (origin, unauthorized, max_connections). */
  websocketRefused: Counter<'reason'>;
  /** WebSocket connections closed by a limit, by reason (max_connections, unread_replies). */
  websocketClosed: Counter<'reason'>;
  /** WebSocket requests refused with a JSON-RPC error, by reason (max_calls_in_flight). */
  websocketCallsRefused: Counter<'reason'>;
  /** Times reading from a WebSocket paused because its client left MAX_UNREAD_REPLY_BYTES unread. */
  websocketReadsPaused: Counter;
  sanitized: Counter;
  /**
   * /mcp sessions forgotten by Godot: `limit` (MAX_HTTP_SESSIONS, least recently
   * seen first), `idle`. The gauge `godot_http_sessions` is registered by
   * `HttpSessionRegistry`, which reads it from Redis.
   */
  httpSessionsEvicted: Counter<'reason'>;
  /** /mcp requests refused before their body was read, by reason (`in_flight`: MAX_CALLS_IN_FLIGHT). */
  httpRequestsRefused: Counter<'reason'>;
  /** TCP connections closed by the HTTP server's limits, by reason (idle, timeout, invalid, full). */
  httpConnectionsClosed: Counter<'reason'>;
  queueDepth: Gauge<'state'>;
  /** Flushes whose entries were queued but not written to the recent window. */
  recentWindowFailures: Counter;
  deweyUp: Gauge;
  toolDuration: Histogram<'tool'>;
}

/** How long a scrape waits for the queue's job counts before it shows no depth. */
const QUEUE_DEPTH_TIMEOUT_MS = 1000;

/**
 * Creates the metrics on a registry of their own, so instances never collide.
 * `readQueueCounts` fills `godot_queue_depth` at scrape time.
 */
export function createServerMetrics(
  readQueueCounts: () => Promise<Record<string, number>> = async () => ({}),
): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'godot_server_' });
  const registers = [registry];
  return {
    registry,
    received: new Counter({
      name: 'godot_logs_received_total',
      help: 'logger_log calls with valid input, by level',
      labelNames: ['level'],
      registers,
    }),
    queued: new Counter({
      name: 'godot_logs_queued_total',
      help: 'Entries accepted by Redis as jobs, by level',
      labelNames: ['level'],
      registers,
    }),
    filtered: new Counter({
      name: 'godot_logs_filtered_total',
      help: "Entries below their component's level, not queued, by level",
      labelNames: ['level'],
      registers,
    }),
    refused: new Counter({
      name: 'godot_logs_refused_total',
      help: 'logger_log calls refused with a tool error, by reason',
      labelNames: ['reason'],
      registers,
    }),
    dropped: new Counter({
      name: 'godot_logs_dropped_total',
      help: 'Oldest waiting entries removed because MAX_QUEUE_SIZE was reached',
      registers,
    }),
    framesRefused: new Counter({
      name: 'godot_frames_refused_total',
      help: 'WebSocket frames refused before any tool saw them, by reason (invalid, too_large)',
      labelNames: ['reason'],
      registers,
    }),
    websocketConnections: new Gauge({
      name: 'godot_websocket_connections',
      help: 'Open WebSocket connections (at most MAX_CONNECTIONS)',
      registers,
    }),
    websocketRefused: new Counter({
      name: 'godot_websocket_upgrades_refused_total',
      help: 'WebSocket upgrades refused, by reason (origin: browser Origin not in ALLOWED_ORIGINS, 403; unauthorized: 401; max_connections: MAX_CONNECTIONS reached with every connection busy, 503)',
      labelNames: ['reason'],
      registers,
    }),
    websocketClosed: new Counter({
      name: 'godot_websocket_connections_closed_total',
      help: 'WebSocket connections closed by a limit, by reason (max_connections: idlest closed with 1013 to admit a new one; unread_replies: client did not read its replies, 1008)',
      labelNames: ['reason'],
      registers,
    }),
    websocketCallsRefused: new Counter({
      name: 'godot_websocket_calls_refused_total',
      help: 'WebSocket requests answered with a JSON-RPC error before any tool ran, by reason (max_calls_in_flight: MAX_CALLS_IN_FLIGHT reached on the connection)',
      labelNames: ['reason'],
      registers,
    }),
    websocketReadsPaused: new Counter({
      name: 'godot_websocket_reads_paused_total',
      help: 'Times reading from a WebSocket paused because its client left more than MAX_UNREAD_REPLY_BYTES of replies unread',
      registers,
    }),
    sanitized: new Counter({
      name: 'godot_logs_sanitized_total',
      help: 'Entries whose NUL characters were replaced by U+FFFD',
      registers,
    }),
    httpSessionsEvicted: new Counter({
      name: 'godot_http_sessions_evicted_total',
      help: '/mcp sessions forgotten by this server, by reason (limit: MAX_HTTP_SESSIONS reached, least recently seen first; idle)',
      labelNames: ['reason'],
      registers,
    }),
    httpRequestsRefused: new Counter({
      name: 'godot_http_requests_refused_total',
      help: '/mcp requests refused before their body was read, by reason (in_flight: MAX_CALLS_IN_FLIGHT)',
      labelNames: ['reason'],
      registers,
    }),
    httpConnectionsClosed: new Counter({
      name: 'godot_http_connections_closed_total',
      help: 'TCP connections closed by the HTTP limits, by reason (idle: sent nothing; timeout: headers or body too slow; invalid: not HTTP; full: maxConnections)',
      labelNames: ['reason'],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'godot_queue_depth',
      help: 'Jobs in the queue by state, read at scrape time',
      labelNames: ['state'],
      registers,
      async collect() {
        // A frozen Redis must not hold the whole scrape: give up after a
        // second and show no depth rather than a stale one.
        const counts = await withTimeout(readQueueCounts(), QUEUE_DEPTH_TIMEOUT_MS).catch(
          () => undefined,
        );
        if (counts === undefined) this.reset();
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    }),
    recentWindowFailures: new Counter({
      name: 'godot_recent_window_write_failures_total',
      help: 'Flushes whose entries were queued (and acknowledged) but could not be written to the recent window: tails and recent reads miss them',
      registers,
    }),
    deweyUp: new Gauge({
      name: 'godot_dewey_up',
      help: '1 while the server is connected to Dewey',
      registers,
    }),
    toolDuration: new Histogram({
      name: 'godot_tool_call_duration_seconds',
      help: 'Tool call duration by tool',
      labelNames: ['tool'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
  };
}
