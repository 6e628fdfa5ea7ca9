import type { Logger } from '@godot/shared';
import { originForLog } from '../auth/allowed-origins.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { ThrottledWarning } from '../ops/throttled-warning.js';

/** The limits a `WebSocketLimitReport` names in its lines. */
export interface WebSocketLimits {
  maxConnections: number;
  maxCallsInFlight: number;
  maxUnreadReplyBytes: number;
  unreadStallTimeoutMs: number;
}

/**
 * Counts and logs every limit the WebSocket endpoint enforces: each
 * occurrence in a counter with a fixed `reason`, and at most one warning line
 * per kind and interval (an attacker repeats these thousands of times a
 * second).
 */
export class WebSocketLimitReport {
  // ThrottledWarning reads its fields when it writes a line, so the lines
  // about refused upgrades name the latest caller.
  private readonly refusedOrigin: { origin: string; remote?: string } = { origin: '' };
  private readonly refusedToken: { remote?: string } = {};
  private readonly warnings;

  constructor(
    private readonly metrics: ServerMetrics,
    logger: Logger,
    limits: WebSocketLimits,
  ) {
    const warning = (message: string, fields: object) =>
      new ThrottledWarning(logger, `websocket: ${message}`, fields);
    const unread = { max_unread_reply_bytes: limits.maxUnreadReplyBytes };
    this.warnings = {
      origin: warning(
        'upgrade refused (403), browser Origin not in ALLOWED_ORIGINS',
        this.refusedOrigin,
      ),
      unauthorized: warning('upgrade refused (401), bad or missing token', this.refusedToken),
      full: warning(
        'upgrade refused (503), MAX_CONNECTIONS reached and every connection has a call in flight',
        { max_connections: limits.maxConnections },
      ),
      evicted: warning('MAX_CONNECTIONS reached, idlest connection closed (1013) for a new one', {
        max_connections: limits.maxConnections,
      }),
      inFlight: warning('call refused, MAX_CALLS_IN_FLIGHT reached on its connection', {
        max_calls_in_flight: limits.maxCallsInFlight,
      }),
      paused: warning(
        'client not reading its replies, MAX_UNREAD_REPLY_BYTES reached, reading paused',
        unread,
      ),
      unreadClosed: warning('client not reading its replies, closed (1008)', {
        ...unread,
        stall_timeout_ms: limits.unreadStallTimeoutMs,
      }),
    };
  }

  /** An upgrade refused with 403: its `Origin` is not allowed. */
  originRefused(origin: string, remote: string | undefined): void {
    this.metrics.websocketRefused.inc({ reason: 'origin' });
    this.refusedOrigin.origin = originForLog(origin);
    this.refusedOrigin.remote = remote;
    this.warnings.origin.add();
  }

  /** An upgrade refused with 401. */
  unauthorized(remote: string | undefined): void {
    this.metrics.websocketRefused.inc({ reason: 'unauthorized' });
    this.refusedToken.remote = remote;
    this.warnings.unauthorized.add();
  }

  /** An upgrade refused with 503: at MAX_CONNECTIONS, every connection busy. */
  full(): void {
    this.metrics.websocketRefused.inc({ reason: 'max_connections' });
    this.warnings.full.add();
  }

  /** The idlest connection closed to admit a new one. */
  evicted(): void {
    this.metrics.websocketClosed.inc({ reason: 'max_connections' });
    this.warnings.evicted.add();
  }

  /** A request answered with -32005: MAX_CALLS_IN_FLIGHT on its connection. */
  callRefused(): void {
    this.metrics.websocketCallsRefused.inc({ reason: 'max_calls_in_flight' });
    this.warnings.inFlight.add();
  }

  /** Reading paused (`closed: false`) or the connection closed for unread replies. */
  unreadReplies(closed: boolean): void {
    if (closed) {
      this.metrics.websocketClosed.inc({ reason: 'unread_replies' });
      this.warnings.unreadClosed.add();
    } else {
      this.metrics.websocketReadsPaused.inc();
      this.warnings.paused.add();
    }
  }

  /** Writes what the intervals held back (server closing). */
  flush(): void {
    for (const warning of Object.values(this.warnings)) warning.flush();
  }
}
