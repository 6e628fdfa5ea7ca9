import { randomUUID } from 'node:crypto';
import { RawWsClient } from '@godot/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack } from '../support/stack/test-stack.js';
import { launchChromium, watchedPage } from './browser-page.js';

const AUTH_TOKEN = `auth-${randomUUID()}`;
const ADMIN_TOKEN = `admin-${randomUUID()}`;

/**
 * The explorer and the queue dashboard on a server with tokens
 * (docs/product.md#authentication): the page asks for a token and shows no
 * data without it, keeps it for the tab only, and neither page loads
 * anything from outside Godot's origin.
 */
describe('explorer and dashboard with tokens, in a browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let origin: string;
  let socket: RawWsClient;

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'browser-auth' });
    const server = await stack.startServer({ AUTH_TOKEN, ADMIN_TOKEN });
    await stack.startWorker();
    origin = `http://127.0.0.1:${server.port}`;
    [browser, socket] = await Promise.all([
      launchChromium(),
      RawWsClient.connect(`ws://127.0.0.1:${server.port}/?access_token=${AUTH_TOKEN}`),
    ]);
  });
  afterAll(async () => {
    await socket?.close();
    await browser?.close();
    await stack?.close();
  });

  it('asks for the token once, shows no data without it, and keeps it in sessionStorage only', async () => {
    const context = await browser.newContext();
    try {
      const watched = await watchedPage(context, origin);
      const { page } = watched;
      const apiStatuses: number[] = [];
      const authorizations: Array<string | undefined> = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname.startsWith('/api/'))
          apiStatuses.push(response.status());
      });
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/api/')) {
          authorizations.push(request.headers().authorization);
        }
      });
      const message = `secret entry ${randomUUID()}`;
      await socket.callToolPayload('logger_log', { component: 'vault', level: 'INFO', message });

      await page.goto(`${origin}/logs`);
      const form = page.locator('#token-form');
      await form.waitFor({ state: 'visible' });
      // The views are hidden and empty: every API answer so far was a refusal.
      expect(await page.locator('#views').isHidden()).toBe(true);
      expect(await page.locator('.entry').count()).toBe(0);
      expect(apiStatuses.length).toBeGreaterThan(0);
      expect(new Set(apiStatuses)).toEqual(new Set([401]));

      // A wrong token is refused and asked for again.
      await form.locator('[name=token]').fill('not-the-token');
      await form.getByRole('button', { name: 'Open' }).click();
      await page.locator('#token-message', { hasText: 'refused' }).waitFor();
      expect(await form.isVisible()).toBe(true);

      await form.locator('[name=token]').fill(AUTH_TOKEN);
      await form.getByRole('button', { name: 'Open' }).click();
      await page.locator('#view-live[data-state="listening"]').waitFor();
      expect(await form.isHidden()).toBe(true);
      const later = `visible entry ${randomUUID()}`;
      await socket.callToolPayload('logger_log', {
        component: 'vault',
        level: 'INFO',
        message: later,
      });
      await page.locator('#live-list .entry', { hasText: later }).waitFor({ timeout: 2000 });

      // The token: sent as a Bearer header, kept for this tab, never in a URL or localStorage.
      expect(authorizations.at(-1)).toBe(`Bearer ${AUTH_TOKEN}`);
      expect(await page.evaluate("sessionStorage.getItem('godot-token')")).toBe(AUTH_TOKEN);
      expect(await page.evaluate('localStorage.length')).toBe(0);
      expect(watched.requests.filter((url) => url.includes(AUTH_TOKEN))).toEqual([]);
      expect(page.url()).not.toContain(AUTH_TOKEN);

      // A reload in the same tab does not ask again.
      await page.reload();
      await page.locator('#view-live[data-state="listening"]').waitFor();
      expect(await form.isHidden()).toBe(true);

      expect(watched.outside).toEqual([]);
      expect(watched.dialogs).toEqual([]);
      expect(watched.errors).toEqual([]);
      expect(watched.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('ADMIN_TOKEN opens the explorer too', async () => {
    const context = await browser.newContext();
    try {
      const { page } = await watchedPage(context, origin);
      await page.goto(`${origin}/logs`);
      await page.locator('#token-form [name=token]').fill(ADMIN_TOKEN);
      await page.locator('#token-form').getByRole('button', { name: 'Open' }).click();
      await page.locator('#view-live[data-state="listening"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('the queue dashboard loads nothing from outside the origin (no Google Fonts)', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: ADMIN_TOKEN },
    });
    try {
      const watched = await watchedPage(context, origin);
      const { page } = watched;
      const response = await page.goto(`${origin}/admin/queues`);
      expect(response?.status()).toBe(200);
      const html = (await response?.text()) ?? '';
      expect(html).not.toMatch(/fonts\.(googleapis|gstatic)\.com/);
      // Bull Board's app has rendered the queue (its scripts, styles and API calls all ran).
      await page.getByText(stack.config.QUEUE_NAME).first().waitFor();
      expect(watched.requests.some((url) => url.includes('/admin/queues/api/'))).toBe(true);
      expect(watched.outside).toEqual([]);
      expect(watched.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
