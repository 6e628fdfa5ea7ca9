import { type Request, type Response, Router } from 'express';

/**
 * What a client told "401" should do, short enough for a header: put in the
 * `error_description` of every `WWW-Authenticate: Bearer` challenge (HTTP
 * `/mcp` and the WebSocket upgrade). ASCII without `"` or `\`, so it fits a
 * quoted-string as is.
 */
export const TOKEN_HINT =
  'AUTH_TOKEN required: send the header Authorization: Bearer <AUTH_TOKEN> (or ?access_token=<AUTH_TOKEN> on the URL); this server does not use OAuth';

/** The `WWW-Authenticate` value of a refused request (RFC 6750 §3). */
export const BEARER_CHALLENGE = `Bearer realm="godot", error="invalid_token", error_description="${TOKEN_HINT}"`;

/**
 * Paths an OAuth-capable client (Claude Code, MCP Inspector, mcp-remote: the
 * SDK's `auth()`) tries after a 401: the discovery documents of RFC 9728,
 * RFC 8414 and OpenID Connect, at the root and with the `/mcp` path inserted
 * or appended, then the default endpoints of an authorization server.
 */
const DISCOVERY = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
];
const DISCOVERY_PATHS = [
  ...DISCOVERY,
  ...DISCOVERY.map((path) => `${path}/mcp`),
  '/mcp/.well-known/openid-configuration',
  '/mcp/.well-known/oauth-authorization-server',
];
const ENDPOINT_PATHS = ['/token', '/authorize'];

/**
 * Answers OAuth discovery and registration with a JSON error whose
 * `error_description` says how to send the token, instead of Express's HTML
 * "Cannot POST /register" (docs/product.md#authentication). Those clients
 * print the `error_description` of the `POST /register` answer; a 404 on discovery
 * makes them go on to it. Without a token there is nothing to send: the
 * same paths answer 404 in JSON, saying so.
 */
export function oauthHintRouter(authToken: string | undefined): Router {
  const router = Router();
  const answer = (status: number, error: string) => (req: Request, res: Response) => {
    res
      .status(authToken === undefined ? 404 : status)
      .set('Cache-Control', 'no-store')
      .json({
        error: authToken === undefined ? 'not_found' : error,
        error_description: authToken === undefined ? NO_TOKEN_NEEDED : connectHint(req),
      });
  };
  router.all(DISCOVERY_PATHS, answer(404, 'not_found'));
  // RFC 7591 §3.2.2 names invalid_client_metadata; RFC 6749 §5.2 invalid_client.
  router.all('/register', answer(400, 'invalid_client_metadata'));
  router.all(ENDPOINT_PATHS, answer(400, 'invalid_client'));
  return router;
}

const NO_TOKEN_NEEDED =
  'This Godot server does not use OAuth and needs no token (AUTH_TOKEN is unset): connect to /mcp (HTTP) or ws://…/ (WebSocket) without authorization';

/**
 * The full hint, with commands for the clients that start OAuth. The host is
 * the one the client used, when it looks like a host, so that the commands
 * can be pasted.
 */
export function connectHint(req: Pick<Request, 'headers'>): string {
  const host = req.headers.host;
  const url = `http://${host !== undefined && HOST.test(host) ? host : 'HOST:9060'}/mcp`;
  return (
    `${TOKEN_HINT}. ` +
    `Claude Code: claude mcp add --transport http godot ${url} --header "Authorization: Bearer <token>". ` +
    `mcp-remote: npx mcp-remote ${url} --header "Authorization: Bearer <token>". ` +
    'WebSocket clients that cannot send headers: ws://…/?access_token=<token>.'
  );
}

/** A host name or address with an optional port; anything else is not echoed. */
const HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;
