import type { Logger } from '@godot/shared';
import express, { type Router } from 'express';
import { isAuthorized } from '../auth/auth.js';
import { callTool } from '../mcp/tool-dispatcher.js';
import {
  TOOL_ERROR_META_KEY,
  type ToolErrorMeta,
  type ToolErrorReason,
} from '../mcp/tool-result.js';
import type { GodotToolDeps } from '../mcp/tools/define-tool.js';

/** The tools a page may call: the read tools, never `logger_clear` or `logger_set_level`. */
export const READ_API_TOOLS: ReadonlySet<string> = new Set([
  'logger_summary',
  'logger_trace',
  'logger_query',
  'logger_tail',
]);

/** Options of `readApiRouter`. */
export interface ReadApiOptions {
  deps: GodotToolDeps;
  logger: Logger;
  /**
   * The tokens that open it (AUTH_TOKEN, ADMIN_TOKEN): either works; none
   * set, it is open, as the tools are. @default [] (open)
   */
  tokens?: readonly string[];
  /** Largest JSON body. @default 65536 */
  maxBodyBytes?: number;
}

/** The HTTP status of a tool error, by its reason. */
const STATUS: Partial<Record<ToolErrorReason, number>> = {
  invalid_input: 400,
  unknown_tool: 404,
  tails_busy: 429,
  recent_window_off: 409,
  dewey_unavailable: 503,
  queue_unavailable: 503,
  dewey_rejected: 502,
  dewey_bad_reply: 502,
  dewey_time_bug: 502,
};

/**
 * `POST /api/tools/<tool>` for the log explorer (docs/product.md#log-explorer):
 * the read tools over plain HTTP and JSON, so that a page needs no MCP
 * session. The body is the tool's arguments; `format` is always `json`.
 * The answer is the tool's `structuredContent` (200), or `{"error","reason"}`
 * with a status that says whose fault it is. Calls go through the same
 * dispatcher as MCP's, so input rules, metrics and errors are the tools'.
 * A token, when set, comes as `Authorization: Bearer`, never in the URL.
 */
export function readApiRouter(options: ReadApiOptions): Router {
  const { deps, logger } = options;
  const tokens = options.tokens ?? [];
  const router = express.Router();
  router.post(
    '/api/tools/:tool',
    (req, res, next) => {
      if (tokens.length > 0 && !tokens.some((token) => isAuthorized(req.headers, token))) {
        res.status(401).json({ error: 'a token is required: Authorization: Bearer <token>' });
        return;
      }
      next();
    },
    express.json({ limit: options.maxBodyBytes ?? 64 * 1024 }),
    async (req, res) => {
      const tool = String(req.params.tool);
      if (!READ_API_TOOLS.has(tool)) {
        res.status(404).json({ error: `no such read tool: ${tool.slice(0, 100)}` });
        return;
      }
      const body = req.body as unknown;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        res.status(400).json({ error: "the body must be a JSON object of the tool's arguments" });
        return;
      }
      const result = await callTool(
        deps,
        { remoteAddress: req.socket.remoteAddress },
        {
          jsonrpc: '2.0',
          id: 0,
          method: 'tools/call',
          params: { name: tool, arguments: { ...body, format: 'json' } },
        },
      );
      if (result.isError) {
        const meta = result._meta?.[TOOL_ERROR_META_KEY] as ToolErrorMeta | undefined;
        const text = (result.content[0] as { text?: string } | undefined)?.text ?? 'failed';
        const status = (meta && STATUS[meta.reason]) ?? 500;
        if (status >= 500) logger.debug({ tool, err: text }, 'read api: tool failed');
        res.status(status).json({ error: text, reason: meta?.reason ?? 'internal' });
        return;
      }
      res.json(result.structuredContent ?? {});
    },
  );
  // Bad JSON or a body over the limit: a JSON answer, as the rest of the API.
  router.use(
    '/api/tools',
    (
      error: Error & { status?: number },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res
        .status(error.status ?? 400)
        .json({ error: `the body could not be read: ${error.message}` });
    },
  );
  return router;
}
