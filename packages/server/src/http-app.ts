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
import { isAuthorized } from './auth.js';
import type { HealthReport } from './health.js';
import type { ServerMetrics } from './server-metrics.js';

/** Options of `createHttpApp`. */
export interface HttpAppOptions {
  /** Builds the MCP server (protocol instance) of one HTTP session. */
  createMcpServer: () => McpProtocolServer;
  health: () => Promise<{ code: number; report: HealthReport }>;
  metrics: ServerMetrics;
  queue: Queue;
  logger: Logger;
  /** Bearer token required on `/mcp`. @default undefined (open) */
  authToken?: string;
  /** Enables the dashboard at `/admin/queues`, guarded by this token. @default undefined (off) */
  adminToken?: string;
  /** Largest JSON body on `/mcp`. */
  maxBodyBytes: number;
  /** An HTTP MCP session idle this long is closed. @default 1800000 (30 min) */
  sessionIdleMs?: number;
}

/** The HTTP side of port 9060, plus a hook to close open MCP sessions. */
export interface HttpApp {
  app: Express;
  closeSessions(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
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

  const sessions = new Map<string, Session>();
  const sweep = setInterval(() => {
    const cutoff = Date.now() - (options.sessionIdleMs ?? 30 * 60_000);
    for (const [id, session] of sessions) {
      if (session.lastSeen < cutoff)
        void session.transport.close().finally(() => sessions.delete(id));
    }
  }, 60_000);
  sweep.unref();

  // Authorization first: no body is read for a caller without the token.
  const authorize = (req: Request, res: Response, next: NextFunction) => {
    if (isAuthorized(req.headers, options.authToken)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer')
      .json(rpcError(-32001, 'Unauthorized: AUTH_TOKEN required'));
  };
  app.all('/mcp', authorize, express.json({ limit: options.maxBodyBytes }), async (req, res) => {
    const id = req.header('mcp-session-id');
    let session = id === undefined ? undefined : sessions.get(id);
    if (!session) {
      if (id !== undefined) {
        res.status(404).json(rpcError(-32001, 'Session not found: initialize again'));
        return;
      }
      if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
        res.status(400).json(rpcError(-32000, 'Bad Request: no session; send initialize first'));
        return;
      }
      session = await openSession();
    }
    session.lastSeen = Date.now();
    await session.transport.handleRequest(req, res, req.body);
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

  async function openSession(): Promise<Session> {
    const { StreamableHTTPServerTransport } = await loadStreamableHttp();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, session);
      },
    });
    const session: Session = { transport, lastSeen: Date.now() };
    const mcp = options.createMcpServer();
    mcp.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await mcp.connect(transport);
    return session;
  }

  return {
    app,
    async closeSessions() {
      clearInterval(sweep);
      await Promise.allSettled([...sessions.values()].map((session) => session.transport.close()));
      sessions.clear();
    },
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
