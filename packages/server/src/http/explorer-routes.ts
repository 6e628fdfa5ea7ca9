import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@godot/shared';
import { type Request, type Response, Router } from 'express';

/**
 * The policy of the explorer page and of every file it loads: scripts,
 * styles and requests from Godot alone, nothing inline, no framing. Entries
 * hold whatever their senders wrote; the page builds its DOM from text only,
 * and this header keeps a slip in that from running anything.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the page's files are: `packages/server/explorer`, two folders up from
 * this module both in `src/http` (tsx) and in `dist/http` (the built server,
 * and the container image, where `pnpm deploy` copies the folder beside `dist`).
 */
export const EXPLORER_DIR = fileURLToPath(new URL('../../explorer/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Options of {@link explorerRouter}. */
export interface ExplorerRouterOptions {
  /** Told once when the folder cannot be read (a packaging mistake). */
  logger: Logger;
  /** The folder of `index.html`, scripts and styles. @default EXPLORER_DIR */
  dir?: string;
}

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * The log explorer (docs/product.md#log-explorer): `GET /` redirects to
 * `/logs`, which serves `index.html`; `/logs/<file>` serves its scripts and
 * styles. Every answer carries {@link EXPLORER_CSP}. The files are read once,
 * at start, and only those of known types are served, by exact name: no path
 * from a request reaches the file system. Browsers revalidate them on every
 * load (`no-cache` with Express's ETag, so an unchanged file costs a 304), so
 * a new version shows without hashed names. The page holds no data: the
 * logs come from `/api/tools/*`, which checks the token.
 */
export function explorerRouter(options: ExplorerRouterOptions): Router {
  const assets = readAssets(options.dir ?? EXPLORER_DIR, options.logger);
  const router = Router();
  const send = (asset: Asset | undefined) => (_req: Request, res: Response) => {
    res
      .set({
        'Content-Security-Policy': EXPLORER_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      })
      .type(asset?.type ?? 'text/plain; charset=utf-8');
    if (asset === undefined) {
      res.status(503).send('The log explorer is not installed: its files were not found.');
      return;
    }
    res.send(asset.body);
  };

  router.get('/', (_req, res) => {
    res.redirect(302, '/logs');
  });
  router.get('/logs', send(assets?.get('index.html')));
  router.get('/logs/:file', (req, res, next) => {
    const file = req.params.file;
    if (file === 'index.html' || assets?.has(file) !== true) return next();
    send(assets.get(file))(req, res);
  });
  return router;
}

/** The folder's files of known types by name, or undefined when it cannot be read. */
function readAssets(dir: string, logger: Logger): Map<string, Asset> | undefined {
  try {
    const assets = new Map<string, Asset>();
    for (const name of readdirSync(dir)) {
      const type = CONTENT_TYPES[extname(name)];
      if (type !== undefined) assets.set(name, { body: readFileSync(join(dir, name)), type });
    }
    return assets;
  } catch (error) {
    logger.error({ dir, err: String(error) }, 'explorer: files not found; /logs answers 503');
    return undefined;
  }
}
