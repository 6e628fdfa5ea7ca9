import type { Logger, RedisConnection } from '@godot/shared';
import type { Server as McpProtocolServer } from '@modelcontextprotocol/sdk/server/index.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Queue } from 'bullmq';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { isAuthorized, isAuthorizedRequest, withoutAccessToken } from '../auth/auth.js';
import { BEARER_CHALLENGE, connectHint, oauthHintRouter } from '../auth/oauth-hint.js';
import type { HealthReport } from '../ops/health.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { explorerRouter } from './explorer-routes.js';
import { HttpRequestsInFlight, type OpenRequest } from './requests-in-flight.js';
import { HttpSessionRegistry } from './session-registry.js';

/** What the /mcp middlewares hand on to the handler. */
type McpLocals = { request?: OpenRequest };

/** Options of `createHttpApp`. */
export interface HttpAppOptions {
  /** Builds the MCP server (protocol instance) that answers one /mcp request; `remoteAddress` is its caller's. */
  createMcpServer: (context: { remoteAddress?: string }) => McpProtocolServer;
  health: () => Promise<{ code: number; report: HealthReport }>;
  metrics: ServerMetrics;
  /** Every queue shard, shown in the dashboard. */
  queues: readonly Queue[];
  logger: Logger;
  /** Where /mcp sessions are recorded, shared by every server of the queue (a single sorted-set key). */
  redis: RedisConnection;
  /** Names the sessions' key (QUEUE_NAME): servers of one queue serve each other's sessions. */
  queueName: string;
  /**
   * Token required on `/mcp`, as `Authorization: Bearer <token>` or as
   * `?access_token=<token>` (for clients configured by URL alone).
   * @default undefined (open)
   */
  authToken?: string;
  /** Enables the dashboard at `/admin/queues`, guarded by this token. @default undefined (off) */
  adminToken?: string;
  /**
   * The read tools over HTTP for the log explorer (`/api/tools/<tool>`,
   * read-api.ts). @default undefined (not served)
   */
  readApi?: RequestHandler;
  /** Largest JSON body on `/mcp`. */
  maxBodyBytes: number;
  /** An HTTP MCP session not seen for this long is forgotten. @default 1800000 (30 min) */
  sessionIdleMs?: number;
  /** Most `/mcp` sessions of all servers together (MAX_HTTP_SESSIONS); the least recently seen is forgotten to admit one more. @default 1000 */
  maxSessions?: number;
  /** Most unanswered requests per `/mcp` session on this server (MAX_CALLS_IN_FLIGHT); more get 429. @default 1000 */
  maxCallsInFlight?: number;
}

/** The HTTP side of port 9060, plus a hook to end the /mcp requests in flight. */
export interface HttpApp {
  app: Express;
  /** Closes the /mcp requests in flight (their responses end); sessions live on in Redis. */
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

  // The log explorer: `/` → `/logs`, and the page's files (docs/product.md#log-explorer).
  if (options.readApi) app.use(options.readApi);
  app.use(explorerRouter({ logger }));

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
        board ??= loadBoard(options.queues);
        board.then((router) => router(req, res, next), next);
      },
    );
  }

  const sessions = new HttpSessionRegistry({
    redis: options.redis,
    queueName: options.queueName,
    metrics,
    logger,
    maxSessions: options.maxSessions,
    idleMs: options.sessionIdleMs,
  });
  const inFlight = new HttpRequestsInFlight({ logger, maxPerSession: options.maxCallsInFlight });

  // OAuth clients answered in JSON with how to send the token (docs/product.md#authentication).
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
  const admit = async (req: Request, res: Response<unknown, McpLocals>, next: NextFunction) => {
    if (req.method !== 'POST' && req.method !== 'DELETE') {
      // No GET stream: Godot never sends a message of its own, and a client
      // takes 405 as "no stream" (MCP Streamable HTTP, "Listening for
      // Messages from the Server"). A stream would also tie a client to one server.
      res
        .status(405)
        .set('Allow', 'POST, DELETE')
        .json(rpcError(-32000, 'Method not allowed: /mcp takes POST, and DELETE to end a session'));
      return;
    }
    const id = req.header('mcp-session-id');
    const request = inFlight.begin(id, res);
    if (request === undefined) {
      metrics.httpRequestsRefused.inc({ reason: 'in_flight' });
      res
        .status(429)
        .json(
          rpcError(
            -32000,
            `Too many requests in flight on this session (MAX_CALLS_IN_FLIGHT=${inFlight.max}); wait for replies`,
          ),
        );
      return;
    }
    res.locals.request = request;
    if (id === undefined) return next();
    const found = req.method === 'DELETE' ? await sessions.forget(id) : await sessions.touch(id);
    if (found === 'unknown') {
      // The SDK's answer to an unknown session: a client initializes again.
      res.status(404).json(rpcError(-32001, 'Session not found: initialize again'));
      return;
    }
    if (req.method === 'DELETE') {
      if (found === 'known') res.status(200).end();
      else res.status(503).json(rpcError(-32000, 'Session store (Redis) unavailable: try again'));
      return;
    }
    // `unavailable` is served too: Redis away must not fail queries to Dewey,
    // and a session is no credential (AUTH_TOKEN is), so nothing is exposed.
    next();
  };
  app.all(
    '/mcp',
    authorize,
    admit,
    express.json({ limit: options.maxBodyBytes }),
    async (req: Request, res: Response<unknown, McpLocals>) => {
      if (req.header('mcp-session-id') === undefined) {
        if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
          res.status(400).json(rpcError(-32000, 'Bad Request: no session; send initialize first'));
          return;
        }
        // Set before the SDK writes the head, which keeps headers set here.
        res.setHeader('mcp-session-id', await sessions.open());
      }
      // Stateless: a transport and a protocol server for this request alone,
      // so that whichever server the request lands on can answer it (the
      // session lives in Redis). Both are cheap: the tool catalog is built
      // once per process. The SDK's stateless mode checks no session id and
      // needs no initialize first; the check above is ours.
      const { StreamableHTTPServerTransport } = await loadStreamableHttp();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      const mcp = options.createMcpServer({ remoteAddress: req.socket.remoteAddress });
      // Closed when the response ends (or at shutdown); nothing outlives it.
      if (res.locals.request?.serve(mcp) !== true) return;
      await mcp.connect(transport);
      await transport.handleRequest(req, res, req.body);
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

  return {
    app,
    closeSessions: async () => {
      sessions.close();
      await inFlight.closeAll();
    },
  };
}

/**
 * The SDK's Streamable HTTP transport (with Hono's Node adapter) is loaded
 * on the first `/mcp` request: most clients speak WebSocket, and it costs
 * every server process ~5 MB of RSS.
 */
let streamableHttp:
  | Promise<typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js')>
  | undefined;
function loadStreamableHttp() {
  streamableHttp ??= import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  return streamableHttp;
}

async function loadBoard(queues: readonly Queue[]): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({
    // Bull Board tells queues apart by name, and on a cluster every shard has
    // the same name under its own prefix: name each by its shard.
    queues: queues.map((queue, index) =>
      queues.length > 1
        ? new BullMQAdapter(queue, { prefix: `shard-${index}:` })
        : new BullMQAdapter(queue),
    ),
    serverAdapter: adapter,
  });
  const router = adapter.getRouter() as RequestHandler;
  // Bull Board's page links its fonts from Google: Godot's pages load
  // nothing from outside its origin, so the page goes out without that link
  // (in the system's fonts). It is rendered in Bull Board's own app, where
  // `res.render` finds its template.
  return (req, res, next) => {
    const render = res.render.bind(res);
    res.render = ((view: string, locals?: object) =>
      render(view, locals, (error: Error | null, html?: string) =>
        error ? next(error) : res.send(String(html).replace(REMOTE_LINK, '')),
      )) as Response['render'];
    router(req, res, next);
  };
}

/** A `<link>` to another origin (Bull Board's Google Fonts stylesheet). */
const REMOTE_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>/gi;

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}
