import { randomUUID } from 'node:crypto';
import type { Logger } from '@godot/shared';
import type { Server as McpProtocolServer } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Queue } from 'bullmq';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { isAuthorized, isAuthorizedRequest, withoutAccessToken } from './auth.js';
import type { HealthReport } from './health.js';
import { type HttpSession, HttpSessions } from './http-sessions.js';
import { BEARER_CHALLENGE, connectHint, oauthHintRouter } from './oauth-hint.js';
import type { ServerMetrics } from './server-metrics.js';

/** Options of `createHttpApp`. */
export interface HttpAppOptions {
  /** Builds the MCP server (protocol instance) of one HTTP session; `remoteAddress` is its initializer's. */
  createMcpServer: (context: { remoteAddress?: string }) => McpProtocolServer;
  health: () => Promise<{ code: number; report: HealthReport }>;
  metrics: ServerMetrics;
  queue: Queue;
  logger: Logger;
  /**
   * Token required on `/mcp`, as `Authorization: Bearer <token>` or as
   * `?access_token=<token>` (for clients configured by URL alone).
   * @default undefined (open)
   */
  authToken?: string;
  /** Enables the dashboard at `/admin/queues`, guarded by this token. @default undefined (off) */
  adminToken?: string;
  /** Largest JSON body on `/mcp`. */
  maxBodyBytes: number;
  /** An HTTP MCP session idle this long is closed. @default 1800000 (30 min) */
  sessionIdleMs?: number;
  /** Most open `/mcp` sessions (MAX_HTTP_SESSIONS); the idlest is closed to admit one more. @default 1000 */
  maxSessions?: number;
  /** Most unanswered requests per `/mcp` session (MAX_CALLS_IN_FLIGHT); more get 429. @default 1000 */
  maxCallsInFlight?: number;
}

/** The HTTP side of port 9060, plus a hook to close open MCP sessions. */
export interface HttpApp {
  app: Express;
  closeSessions(): Promise<void>;
}

/** `GET /health`, `GET /metrics`, Streamable HTTP MCP at `/mcp`, and the opt-in dashboard. */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { metrics, logger } = options;
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', async (_req, res) => {
    const { code, report } = await options.health();
    res.status(code).json(report);
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  if (options.adminToken !== undefined) {
    const token = options.adminToken;
    // Bull Board is loaded on first use: most deployments never open it, and
    // it costs memory in every server process.
    let board: Promise<RequestHandler> | undefined;
    app.use(
      '/admin/queues',
      (req: Request, res: Response, next: NextFunction) => {
        if (isAuthorized(req.headers, token, true)) return next();
        res
          .status(401)
          .set('WWW-Authenticate', 'Basic realm="godot admin"')
          .send('ADMIN_TOKEN required');
      },
      (req: Request, res: Response, next: NextFunction) => {
        board ??= loadBoard(options.queue);
        board.then((router) => router(req, res, next), next);
      },
    );
  }

  const sessions = new HttpSessions({
    metrics,
    logger,
    maxSessions: options.maxSessions,
    maxInFlight: options.maxCallsInFlight,
    idleMs: options.sessionIdleMs,
  });

  // OAuth clients answered in JSON with how to send the token (issue 11).
  app.use(oauthHintRouter(options.authToken));

  // Authorization first: no body is read for a caller without the token.
  const authorize = (req: Request, res: Response, next: NextFunction) => {
    if (isAuthorizedRequest(req, options.authToken)) {
      // Nothing after this check (the SDK transport, requestInfo) sees the token.
      req.url = withoutAccessToken(req.url);
      return next();
    }
    res
      .status(401)
      .set('WWW-Authenticate', BEARER_CHALLENGE)
      .json(rpcError(-32001, `Unauthorized: ${connectHint(req)}`));
  };
  // The session, and its room for one more request, are checked before the
  // body is read: a refused request costs no parsing.
  const admit = (
    req: Request,
    res: Response<unknown, { session?: HttpSession }>,
    next: NextFunction,
  ) => {
    const id = req.header('mcp-session-id');
    if (id === undefined) return next();
    const session = sessions.get(id);
    if (session === undefined) {
      res.status(404).json(rpcError(-32001, 'Session not found: initialize again'));
      return;
    }
    if (!sessions.begin(id, session, res)) {
      metrics.httpRequestsRefused.inc({ reason: 'in_flight' });
      res
        .status(429)
        .json(
          rpcError(
            -32000,
            `Too many requests in flight on this session (MAX_CALLS_IN_FLIGHT=${sessions.maxInFlight}); wait for replies`,
          ),
        );
      return;
    }
    res.locals.session = session;
    next();
  };
  app.all(
    '/mcp',
    authorize,
    admit,
    express.json({ limit: options.maxBodyBytes }),
    async (req, res: Response<unknown, { session?: HttpSession }>) => {
      let session = res.locals.session;
      if (session === undefined) {
        if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
          res.status(400).json(rpcError(-32000, 'Bad Request: no session; send initialize first'));
          return;
        }
        session = await openSession(req.socket.remoteAddress);
      }
      await session.transport.handleRequest(req, res, req.body);
    },
  );

  // Express's own 404 is an HTML page; clients print JSON better.
  app.use((req: Request, res: Response) => {
    res.status(404).json({
      error: 'not_found',
      error_description: `No ${req.method} ${req.path.slice(0, 200)} here: MCP is at /mcp (HTTP), and on any path over WebSocket`,
    });
  });

  // express.json() failures (bad JSON, body too large) answer in JSON-RPC
  // terms, and count as refused input like bad WebSocket frames.
  app.use(
    (
      error: { status?: number; message?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status = error.status ?? 500;
      const code = status === 400 ? -32700 : status === 413 ? -32600 : -32603;
      if (status === 400 || status === 413) {
        metrics.framesRefused.inc({ reason: status === 413 ? 'too_large' : 'invalid' });
        logger.warn({ status, err: String(error.message).slice(0, 300) }, 'http: request refused');
      }
      res.status(status).json(rpcError(code, error.message ?? 'error'));
    },
  );

  async function openSession(remoteAddress: string | undefined): Promise<HttpSession> {
    const { StreamableHTTPServerTransport } = await loadStreamableHttp();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => sessions.add(sessionId, session),
    });
    const session: HttpSession = { transport, lastSeen: Date.now(), inFlight: 0 };
    const mcp = options.createMcpServer({ remoteAddress });
    mcp.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId, session);
    };
    await mcp.connect(transport);
    return session;
  }

  return {
    app,
    closeSessions: () => sessions.closeAll(),
  };
}

/**
 * The SDK's Streamable HTTP transport (with Hono's Node adapter) is loaded
 * on the first `/mcp` session: most clients speak WebSocket, and it costs
 * every server process ~5 MB of RSS.
 */
let streamableHttp:
  | Promise<typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js')>
  | undefined;
function loadStreamableHttp() {
  streamableHttp ??= import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  return streamableHttp;
}

async function loadBoard(queue: Queue): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter: adapter });
  return adapter.getRouter() as RequestHandler;
}

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}
