import type { ServerResponse } from 'node:http';
import { type Logger, withDefaults } from '@godot/shared';

/** What serves one /mcp request (a protocol server and its transport): closed when it ends. */
export interface ClosableServer {
  close(): Promise<void>;
}

/** One /mcp request being answered. */
export interface OpenRequest {
  /**
   * Hands over what serves the request, to be closed when its response ends
   * (or at shutdown). False, and `server` closed at once, if it already ended.
   */
  serve(server: ClosableServer): boolean;
}

/** Options of `HttpRequestsInFlight`. */
export interface HttpRequestsInFlightOptions {
  logger: Logger;
  /** Most unanswered requests of one session on this server (MAX_CALLS_IN_FLIGHT). @default 1000 */
  maxPerSession?: number;
}

/**
 * The /mcp requests this server is answering: per session, how many (to
 * cap one session's share, MAX_CALLS_IN_FLIGHT), and what serves each one
 * (to close them at shutdown). Nothing is kept between requests: a
 * session's count is deleted when it drops to 0, so whatever ids clients
 * send, this holds no more than the requests open right now.
 */
export class HttpRequestsInFlight {
  private readonly maxPerSession: number;
  private readonly logger: Logger;
  private readonly perSession = new Map<string, number>();
  private readonly servers = new Set<ClosableServer>();

  constructor(options: HttpRequestsInFlightOptions) {
    const { maxPerSession, logger } = withDefaults({ maxPerSession: 1000 }, options);
    this.maxPerSession = maxPerSession;
    this.logger = logger;
    if (!(this.maxPerSession >= 1))
      throw new RangeError('HttpRequestsInFlight: maxPerSession must be positive');
  }

  /** The cap on one session's unanswered requests. */
  get max(): number {
    return this.maxPerSession;
  }

  /** Sessions with a request open on this server. */
  get sessions(): number {
    return this.perSession.size;
  }

  /**
   * Counts a request (of session `sessionId`, if it has one) until `res`
   * closes. Undefined, and nothing counted, when that session already has
   * `maxPerSession` requests unanswered here. Call it before any `await`,
   * so that `res` cannot have closed unseen.
   */
  begin(sessionId: string | undefined, res: ServerResponse): OpenRequest | undefined {
    if (sessionId !== undefined) {
      const count = this.perSession.get(sessionId) ?? 0;
      if (count >= this.maxPerSession) return undefined;
      this.perSession.set(sessionId, count + 1);
    }
    let ended = false;
    let served: ClosableServer | undefined;
    res.once('close', () => {
      ended = true;
      if (sessionId !== undefined) this.release(sessionId);
      if (served !== undefined) this.close(served);
    });
    return {
      serve: (server) => {
        if (ended) {
          this.close(server);
          return false;
        }
        served = server;
        this.servers.add(server);
        return true;
      },
    };
  }

  /** Closes what serves every open request: their responses end (server shutdown). */
  async closeAll(): Promise<void> {
    const all = [...this.servers];
    this.servers.clear();
    await Promise.allSettled(all.map((server) => server.close()));
  }

  private release(sessionId: string): void {
    const count = (this.perSession.get(sessionId) ?? 1) - 1;
    if (count > 0) this.perSession.set(sessionId, count);
    else this.perSession.delete(sessionId);
  }

  private close(server: ClosableServer): void {
    this.servers.delete(server);
    server
      .close()
      .catch((error: unknown) =>
        this.logger.debug({ err: String(error) }, 'http: closing a request failed'),
      );
  }
}
