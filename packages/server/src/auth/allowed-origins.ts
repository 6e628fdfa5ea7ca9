/** How much of a refused `Origin` header our log repeats. */
export const MAX_LOGGED_ORIGIN_CHARS = 100;

/**
 * The browser origins allowed to open a WebSocket
 * (docs/product.md#browser-origins): an upgrade that carries `Origin` is
 * refused unless `ALLOWED_ORIGINS` lists it. Browsers send `Origin` on every
 * WebSocket upgrade and let any page open one to any host, so without this
 * check a page a user visits could read, clear and silence logs through that
 * user's browser. Non-browser clients (Python, Node, Claude Code) send no
 * `Origin` and are not affected.
 */
export class AllowedOrigins {
  private readonly origins: ReadonlySet<string>;

  /** Throws a `RangeError` naming the entry when one is not `scheme://host[:port]`. */
  constructor(origins: readonly string[]) {
    this.origins = new Set(
      origins.map((entry) => {
        const origin = normalizeOrigin(entry);
        if (origin === undefined) {
          throw new RangeError(
            `ALLOWED_ORIGINS: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], no path)`,
          );
        }
        return origin;
      }),
    );
  }

  /** Whether an upgrade with this `Origin` header may proceed: none at all, or one listed. */
  allows(header: string | undefined): boolean {
    if (header === undefined) return true;
    const origin = normalizeOrigin(header);
    return origin !== undefined && this.origins.has(origin);
  }
}

/**
 * `scheme://host[:port]` in lower case with a default port dropped, as a
 * browser serialises it; `undefined` for anything else (`null`, a path, a
 * user name, not a URL).
 */
export function normalizeOrigin(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  if (url.host === '' || url.username !== '' || url.password !== '') return undefined;
  if (url.search !== '' || url.hash !== '' || !['', '/'].includes(url.pathname)) return undefined;
  // Not `url.origin`: it is "null" for schemes such as chrome-extension://.
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** An `Origin` header cut for our log. */
export function originForLog(header: string): string {
  return header.length <= MAX_LOGGED_ORIGIN_CHARS
    ? header
    : `${header.slice(0, MAX_LOGGED_ORIGIN_CHARS)}… (${header.length} chars)`;
}
