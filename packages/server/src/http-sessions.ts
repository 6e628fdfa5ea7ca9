import type { ServerResponse } from 'node:http';
import { type Logger, withDefaults } from '@godot/shared';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ServerMetrics } from './server-metrics.js';
import { ThrottledWarning } from './throttled-warning.js';

/** Options of `HttpSessions`. */
export interface HttpSessionsOptions {
  metrics: ServerMetrics;
  logger: Logger;
  /** Most open sessions (MAX_HTTP_SESSIONS); one more closes an idle one first. @default 1000 */
  maxSessions?: number;
  /** Most requests of one session unanswered at once (MAX_CALLS_IN_FLIGHT). @default 1000 */
  maxInFlight?: number;
  /** A session without a request for this long is closed. @default 1800000 (30 min) */
  idleMs?: number;
  /** How often idle sessions are looked for. @default 60000 */
  sweepIntervalMs?: number;
}

/** One Streamable HTTP MCP session. */
export interface HttpSession {
  transport: StreamableHTTPServerTransport;
  /** When its last request started or ended (ms since the epoch). */
  lastSeen: number;
  /** Its requests whose response is not finished yet (an open SSE stream counts). */
  inFlight: number;
}

const DEFAULTS = {
  maxSessions: 1000,
  maxInFlight: 1000,
  idleMs: 30 * 60_000,
  sweepIntervalMs: 60_000,
};

/**
 * The open /mcp sessions, capped: every session costs ~20 KB (an McpServer
 * and its transport), and 8,000 `initialize` calls once added 170 MB (issue
 * 10, finding 3). Admitting a session beyond the cap closes the least
 * recently used session with no request in flight ("idle sessions are
 * evicted first"), or the least recently used of all when every one is busy.
 */
export class HttpSessions {
  private readonly options: Required<HttpSessionsOptions>;
  /** Least recently used first: a request moves its session to the end. */
  private readonly sessions = new Map<string, HttpSession>();
  private readonly sweep: NodeJS.Timeout;
  private readonly evictions: ThrottledWarning;

  constructor(options: HttpSessionsOptions) {
    this.options = withDefaults(DEFAULTS, options);
    const { maxSessions, maxInFlight, idleMs, sweepIntervalMs } = this.options;
    if (!(maxSessions >= 1 && maxInFlight >= 1 && idleMs > 0 && sweepIntervalMs > 0))
      throw new RangeError('HttpSessions: limits must be positive');
    this.evictions = new ThrottledWarning(
      options.logger,
      'http: MAX_HTTP_SESSIONS reached, least recently used sessions closed',
      { max_http_sessions: maxSessions },
    );
    this.sweep = setInterval(() => this.closeIdle(), sweepIntervalMs);
    this.sweep.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The cap on one session's unanswered requests. */
  get maxInFlight(): number {
    return this.options.maxInFlight;
  }

  get(id: string): HttpSession | undefined {
    return this.sessions.get(id);
  }

  /** Admits a session whose `initialize` succeeded, closing another one first if full. */
  add(id: string, session: HttpSession): void {
    while (this.sessions.size >= this.options.maxSessions) this.evictOne();
    this.sessions.set(id, session);
    this.options.metrics.httpSessions.set(this.sessions.size);
  }

  /** Forgets a session that closed (DELETE, evicted, server closing). */
  delete(id: string, session: HttpSession): void {
    if (this.sessions.get(id) !== session) return;
    this.sessions.delete(id);
    this.options.metrics.httpSessions.set(this.sessions.size);
  }

  /**
   * Counts a request of `session` until `res` closes. False, and nothing
   * counted, when the session already has `maxInFlight` requests unanswered.
   */
  begin(id: string, session: HttpSession, res: ServerResponse): boolean {
    if (session.inFlight >= this.options.maxInFlight) return false;
    session.inFlight += 1;
    this.touch(id, session);
    res.once('close', () => {
      session.inFlight -= 1;
      this.touch(id, session);
    });
    return true;
  }

  /** Closes every session and stops the sweep. */
  async closeAll(): Promise<void> {
    clearInterval(this.sweep);
    this.evictions.flush();
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.options.metrics.httpSessions.set(0);
    await Promise.allSettled(all.map((session) => session.transport.close()));
  }

  private touch(id: string, session: HttpSession): void {
    session.lastSeen = Date.now();
    if (this.sessions.get(id) !== session) return;
    // Re-inserting moves the key to the end: the map stays in LRU order.
    this.sessions.delete(id);
    this.sessions.set(id, session);
  }

  private evictOne(): void {
    let victim: [string, HttpSession] | undefined;
    // Usually the first entry is idle; a scan past busy sessions is bounded by the cap.
    for (const entry of this.sessions) {
      victim ??= entry;
      if (entry[1].inFlight === 0) {
        victim = entry;
        break;
      }
    }
    if (victim === undefined) return;
    this.close(victim[0], victim[1], 'limit');
    this.evictions.add();
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastSeen >= cutoff) break;
      // A session with an open stream or a long call is not idle.
      if (session.inFlight === 0) this.close(id, session, 'idle');
    }
  }

  private close(id: string, session: HttpSession, reason: 'limit' | 'idle'): void {
    this.delete(id, session);
    this.options.metrics.httpSessionsEvicted.inc({ reason });
    void session.transport
      .close()
      .catch((error: unknown) =>
        this.options.logger.debug({ err: String(error) }, 'http: session close failed'),
      );
  }
}
