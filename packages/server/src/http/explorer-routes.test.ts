import { readdirSync, readFileSync } from 'node:fs';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger } from '@godot/shared';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORER_CSP, EXPLORER_DIR, explorerRouter } from './explorer-routes.js';

/** An app with the router and a JSON 404 behind it, as `createHttpApp` has. */
async function serve(dir?: string): Promise<{ base: string; close: () => Promise<void> }> {
  const app = express();
  app.use(explorerRouter({ logger: silentLogger, dir }));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('explorer routes', () => {
  let site: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    site = await serve();
  });
  afterAll(async () => {
    await site?.close();
  });

  it('redirects / to /logs', async () => {
    const response = await fetch(`${site.base}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/logs');
  });

  it('serves the page and every file it loads with the policy, its type and revalidation', async () => {
    const page = await fetch(`${site.base}/logs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/logs/app.js">');
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
    };
    const files = readdirSync(EXPLORER_DIR).filter((name) => name !== 'index.html');
    expect(files).toContain('app.js');
    for (const response of [
      page,
      ...(await Promise.all(files.map((name) => fetch(`${site.base}/logs/${name}`)))),
    ]) {
      expect(response.status, response.url).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('etag')).toMatch(/^W\/"/);
      const extension = response.url.split('.').at(-1) ?? '';
      if (extension in types) expect(response.headers.get('content-type')).toBe(types[extension]);
    }
  });

  it('answers an unchanged file with 304', async () => {
    const etag = (await fetch(`${site.base}/logs/app.js`)).headers.get('etag') ?? '';
    // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a
    // conditional request, which asks for the whole file.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${site.base}/logs/app.js`, { headers: { 'If-None-Match': etag } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('serves only the folder files by name: other paths fall through to the 404', async () => {
    for (const path of [
      '/logs/nope.js',
      '/logs/..%2Fpackage.json',
      '/logs/%2e%2e/package.json',
      '/logs/index.html',
    ]) {
      const response = await fetch(`${site.base}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: 'not_found' });
    }
  });

  it('answers 503 when its files are missing, rather than failing the server', async () => {
    const broken = await serve(join(EXPLORER_DIR, 'does-not-exist'));
    try {
      const response = await fetch(`${broken.base}/logs`);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    } finally {
      await broken.close();
    }
  });

  it('builds its DOM without parsing markup or evaluating strings', () => {
    // Entries hold whatever senders wrote (docs/product.md#log-explorer): no
    // API that turns a string into markup or code appears in the page's scripts.
    const scripts = readdirSync(EXPLORER_DIR).filter((name) => name.endsWith('.js'));
    const forbidden =
      /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval|Function|setHTML|createContextualFragment)\b|javascript:/;
    for (const name of scripts) {
      const source = readFileSync(join(EXPLORER_DIR, name), 'utf8');
      expect(forbidden.exec(source)?.[0], name).toBeUndefined();
    }
    const html = readFileSync(join(EXPLORER_DIR, 'index.html'), 'utf8');
    // The policy refuses inline scripts, styles and handlers; none are written.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=/i);
  });
});
