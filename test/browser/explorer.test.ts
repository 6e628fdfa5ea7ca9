import { randomInt, randomUUID } from 'node:crypto';
import { RawWsClient } from '@godot/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestStack } from '../support/stack/test-stack.js';
import {
  launchChromium,
  screenshot,
  unfoldAll,
  type WatchedPage,
  watchedPage,
} from './browser-page.js';

/** The requirement itself: an accepted entry is on screen within 2 s. */
const SHOWN_WITHIN_MS = 2000;

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
];

/**
 * The log explorer (docs/product.md#log-explorer) in headless Chromium against
 * a real stack: private Redis, the Dewey emulator, a server and a worker.
 * Entries are logged over WebSocket as components do.
 */
describe('log explorer in a browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let origin: string;
  let socket: RawWsClient;
  let context: BrowserContext;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'browser' });
    const server = await stack.startServer();
    await stack.startWorker();
    origin = `http://127.0.0.1:${server.port}`;
    [browser, socket] = await Promise.all([
      launchChromium(),
      RawWsClient.connect(`ws://127.0.0.1:${server.port}/`),
    ]);
  });
  afterAll(async () => {
    await socket?.close();
    await browser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    watched = await watchedPage(context, origin);
    page = watched.page;
  });
  afterEach(async () => {
    await context?.close();
  });

  /** Logs one entry over the WebSocket and checks it was queued. */
  async function log(entry: {
    component: string;
    level: string;
    message: string;
    trace_id?: string;
    data?: Record<string, unknown>;
  }): Promise<void> {
    const reply = await socket.callToolPayload<{ queued?: boolean }>('logger_log', entry);
    expect(reply, JSON.stringify(entry).slice(0, 200)).toMatchObject({ queued: true });
  }

  /** The live view's row showing `message`, waited for as long as the requirement allows. */
  async function shownLive(message: string): Promise<void> {
    await page
      .locator('#live-list .entry', { hasText: message })
      .waitFor({ state: 'visible', timeout: SHOWN_WITHIN_MS });
  }

  async function listening(): Promise<void> {
    await page.locator('#view-live[data-state="listening"]').waitFor();
  }

  /** What every test ends with: nothing left the origin, nothing ran, the policy held. */
  function expectContained(): void {
    expect(watched.outside).toEqual([]);
    expect(watched.dialogs).toEqual([]);
    expect(watched.errors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  }

  it('/ opens the live view: entries appear within 2 s, and filters narrow it', async () => {
    // Page weight: the bytes of every response of the first load (headers and
    // bodies as sent, uncompressed), the page's own files apart.
    const sizes: Promise<{ path: string; bytes: number }>[] = [];
    page.on('requestfinished', (request) => {
      const path = new URL(request.url()).pathname;
      sizes.push(
        request
          .sizes()
          .then((size) => ({ path, bytes: size.responseBodySize + size.responseHeadersSize })),
      );
    });
    await page.goto(`${origin}/`);
    expect(new URL(page.url()).pathname).toBe('/logs');
    await listening();
    await page.locator('#status .item').first().waitFor();
    const responses = await Promise.all(sizes);
    const sum = (list: typeof responses) => list.reduce((total, { bytes }) => total + bytes, 0);
    const files = responses.filter(({ path }) => path === '/' || path.startsWith('/logs'));
    // The redirect, the page, its scripts and style, then /health and the first logger_tail.
    console.info(
      `explorer first load: ${responses.length} responses, ${sum(responses)} bytes (${files.length} for the page and its files: ${sum(files)} bytes)`,
    );
    expect(files.map(({ path }) => path)).toContain('/logs/app.js');
    expect(sum(responses)).toBeLessThan(100_000);

    const traceId = randomUUID();
    const run = randomUUID().slice(0, 8);
    const entries = [
      {
        component: 'gateway',
        level: 'INFO',
        message: `request accepted`,
        trace_id: traceId,
        data: { path: '/v1/chat', bytes: 5120 },
      },
      {
        component: 'relay',
        level: 'DEBUG',
        message: `routing to fiedler`,
        trace_id: traceId,
        data: { route: { upstream: 'fiedler', attempt: 1 } },
      },
      {
        component: 'fiedler',
        level: 'WARN',
        message: `slow upstream`,
        trace_id: traceId,
        data: { ms: 1840 },
      },
      {
        component: 'fiedler',
        level: 'ERROR',
        message: `upstream timeout after 2000 ms`,
        trace_id: traceId,
        data: { error: { code: 'ETIMEDOUT' } },
      },
      { component: 'relay', level: 'TRACE', message: `frame sent` },
      {
        component: 'gateway',
        level: 'INFO',
        message: `request done`,
        trace_id: traceId,
        data: { status: 504 },
      },
    ];
    for (const entry of entries) {
      await log(entry);
      await shownLive(entry.message);
    }
    // One data tree opened, as a person reading it would.
    await page
      .locator('#live-list .entry', { hasText: 'routing to fiedler' })
      .locator('summary')
      .first()
      .click();
    await page.locator('#live-list .json-children').first().waitFor();
    await screenshot(page, 'docs/images/explorer-live.png');
    // Every level has its colour class.
    for (const level of ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']) {
      expect(
        await page.locator(`#live-list .entry.lvl-${level} .level.lvl-${level}`).count(),
      ).toBeGreaterThan(0);
    }

    // Component and minimum level: of two entries logged before the one that
    // matches, neither may show once that one does (entries arrive in order).
    const form = page.locator('#live-filters');
    await form.locator('[name=component]').fill('fiedler');
    await form.locator('[name=level]').selectOption('WARN');
    await form.getByRole('button', { name: 'Apply' }).click();
    await listening();
    expect(await page.locator('#live-list .entry').count()).toBe(0);
    await log({ component: 'relay', level: 'ERROR', message: `other component ${run}` });
    await log({ component: 'fiedler', level: 'INFO', message: `below the level ${run}` });
    await log({ component: 'fiedler', level: 'ERROR', message: `matches ${run}` });
    await shownLive(`matches ${run}`);
    expect(await page.locator('#live-list .entry .message').allTextContents()).toEqual([
      `matches ${run}`,
    ]);

    // Text and trace id.
    await form.locator('[name=component]').fill('');
    await form.locator('[name=level]').selectOption('');
    await form.locator('[name=search]').fill(`needle-${run}`);
    await form.locator('[name=trace_id]').fill(traceId);
    await form.getByRole('button', { name: 'Apply' }).click();
    await listening();
    await log({ component: 'relay', level: 'INFO', message: `needle-${run} without the trace` });
    await log({ component: 'relay', level: 'INFO', message: `haystack ${run}`, trace_id: traceId });
    await log({
      component: 'relay',
      level: 'INFO',
      message: `the needle-${run} in the trace`,
      trace_id: traceId,
    });
    await shownLive(`the needle-${run} in the trace`);
    expect(await page.locator('#live-list .entry .message').allTextContents()).toEqual([
      `the needle-${run} in the trace`,
    ]);

    // Paused, nothing is fetched; resumed, what came meanwhile shows.
    await page.locator('#live-pause').click();
    await page.locator('#view-live[data-state="paused"]').waitFor();
    await log({
      component: 'relay',
      level: 'INFO',
      message: `during the pause needle-${run}`,
      trace_id: traceId,
    });
    expect(await page.locator('#live-list .entry').count()).toBe(1);
    await page.locator('#live-pause').click();
    await shownLive(`during the pause needle-${run}`);
    expectContained();
  });

  it('a trace shows a lane per component, errors marked, and each exchange with its latency', async () => {
    const traceId = randomUUID();
    const run = randomUUID().slice(0, 8);
    await page.goto(`${origin}/logs`);
    await listening();
    // Two exchanges as services log them (data with a JSON-RPC method and id):
    // gateway → relay (answered with an error), relay → fiedler (answered).
    const steps = [
      {
        component: 'gateway',
        level: 'INFO',
        message: `call relay ${run}`,
        data: { method: 'tools/call', id: 1 },
      },
      {
        component: 'relay',
        level: 'INFO',
        message: `call fiedler ${run}`,
        data: { method: 'tools/call', id: 'r-7' },
      },
      { component: 'fiedler', level: 'DEBUG', message: `working ${run}`, data: { model: 'big' } },
      {
        component: 'fiedler',
        level: 'ERROR',
        message: `model overloaded ${run}`,
        data: { retry_in_ms: 500 },
      },
      {
        component: 'relay',
        level: 'INFO',
        message: `fiedler answered ${run}`,
        data: { id: 'r-7', result: { ok: false } },
      },
      {
        component: 'gateway',
        level: 'WARN',
        message: `relay failed ${run}`,
        data: { id: 1, error: { code: -32000, message: 'upstream overloaded' } },
      },
    ];
    for (const step of steps) await log({ ...step, trace_id: traceId });
    // Clicking the trace id of an entry opens its timeline.
    await shownLive(`relay failed ${run}`);
    await page
      .locator('#live-list .entry', { hasText: `relay failed ${run}` })
      .locator('.trace-link')
      .click();
    await page.locator('#view-trace[data-state="done"]').waitFor();
    expect(new URL(page.url()).hash).toBe(`#trace/${traceId}`);

    const lanes = page.locator('#trace-body .lane');
    expect(
      await lanes.evaluateAll((all) => all.map((lane) => lane.getAttribute('data-component'))),
    ).toEqual(['gateway', 'relay', 'fiedler']);
    expect(await page.locator('.lane[data-component="fiedler"] .mark').count()).toBe(2);
    expect(await page.locator('.lane[data-component="fiedler"] .mark.error').count()).toBe(1);
    expect(await page.locator('.lane[data-component="fiedler"].has-error').count()).toBe(1);
    expect(await page.locator('#trace-body .entries .entry').count()).toBe(steps.length);

    // The latencies the page shows are those logger_trace computed.
    const trace = await socket.callToolPayload<{
      exchanges: Array<{ component: string; latency_ms: number; outcome: string }>;
    }>('logger_trace', { trace_id: traceId });
    const exchanges = trace.exchanges;
    expect(exchanges.map((e) => [e.component, e.outcome])).toEqual([
      ['gateway', 'error'],
      ['relay', 'ok'],
    ]);
    const rows = page.locator('#trace-body .exchanges tbody tr');
    expect(await rows.count()).toBe(2);
    for (const [index, exchange] of exchanges.entries()) {
      const row = rows.nth(index);
      expect(await row.locator('.component').textContent()).toBe(exchange.component);
      expect(await row.locator('.latency').textContent()).toBe(
        `${Number(exchange.latency_ms.toFixed(3))} ms`,
      );
    }
    expect(await rows.nth(0).locator('.outcome').textContent()).toBe(
      'error: -32000 upstream overloaded',
    );
    expect(
      await page.locator('.lane[data-component="gateway"] .exchange.outcome-error').count(),
    ).toBe(1);
    await screenshot(page, 'docs/images/explorer-trace.png');
    expectContained();
  });

  it('hostile entries render as text everywhere and run nothing', async () => {
    const traceId = randomUUID();
    await page.goto(`${origin}/logs`);
    await listening();
    for (const [index, text] of HOSTILE.entries()) {
      await log({
        component: text,
        level: 'ERROR',
        message: `${text} hostile-${index}`,
        trace_id: traceId,
        data: { [text]: text, nested: { list: [text, { link: text }] }, href: text },
      });
    }
    for (const index of HOSTILE.keys()) await shownLive(`hostile-${index}`);
    await unfoldAll(page, '#live-list');
    const live = (await page.locator('#live-list').textContent()) ?? '';
    for (const text of HOSTILE) expect(live).toContain(text);

    // The same entries in the trace, the search and the summary views.
    await page.goto(`${origin}/logs#trace/${traceId}`);
    await page.locator('#view-trace[data-state="done"]').waitFor();
    expect(await page.locator('#trace-body .lane-label .component').allTextContents()).toEqual(
      HOSTILE,
    );
    await unfoldAll(page, '#trace-body');
    await page.goto(`${origin}/logs#search?range=15m&trace_id=${traceId}`);
    await page.locator('#view-search[data-state="done"]').waitFor();
    expect(await page.locator('#search-list .entry').count()).toBe(HOSTILE.length);
    await unfoldAll(page, '#search-list');
    const found = (await page.locator('#search-list').textContent()) ?? '';
    for (const text of HOSTILE) expect(found).toContain(text);
    await page.goto(`${origin}/logs#summary`);
    await page.locator('#view-summary[data-state="done"]').waitFor();
    const summary = (await page.locator('#summary-body').textContent()) ?? '';
    for (const text of HOSTILE) expect(summary).toContain(text);

    // Nothing became markup: no image, no script, no link but the page's own fragments.
    for (const view of ['#view-live', '#view-trace', '#view-search', '#view-summary']) {
      expect(await page.locator(`${view} img, ${view} script, ${view} iframe`).count()).toBe(0);
    }
    const hrefs = await page
      .locator('a[href]')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.filter((href) => !href.startsWith('#'))).toEqual([]);
    expectContained();
  });

  it('search pages back with "load older", and the summary links a pattern to its entries', async () => {
    // Letters only: a message pattern folds numbers and hex ids into placeholders.
    const run = Array.from({ length: 10 }, () => String.fromCharCode(97 + randomInt(26))).join('');
    const component = `pager-${run}`;
    for (let i = 0; i < 120; i++) {
      const message = i % 10 === 0 ? `step ${i} failed: disk full ${run}` : `step ${i} of ${run}`;
      await log({ component, level: i % 10 === 0 ? 'ERROR' : 'INFO', message, data: { i } });
    }
    await page.goto(`${origin}/logs#search?range=15m&component=${component}`);
    await page.locator('#view-search[data-state="done"]').waitFor();
    const rows = page.locator('#search-list .entry');
    expect(await rows.count()).toBe(100);
    // Newest first (entries of one millisecond have no order between them).
    const times = () =>
      page
        .locator('#search-list .entry time')
        .evaluateAll((all) => all.map((time) => time.getAttribute('datetime') ?? ''));
    const firstPage = await times();
    expect(firstPage).toEqual([...firstPage].sort().reverse());
    await page.locator('#search-older').click();
    await expect.poll(() => rows.count()).toBe(120);
    await page.locator('#view-search[data-state="done"]').waitFor();
    expect(await rows.last().locator('.message').textContent()).toBe(
      `step 0 failed: disk full ${run}`,
    );
    const messages = await page.locator('#search-list .entry .message').allTextContents();
    expect(new Set(messages).size).toBe(120);
    expect(await page.locator('#search-older').isHidden()).toBe(true);

    // Summary: the component's counts by level, and its error pattern.
    await page.goto(`${origin}/logs#summary`);
    await page.locator('#view-summary[data-state="done"]').waitFor();
    const row = page.locator('#summary-body .counts tr', {
      has: page.locator(`th.component:text-is("${component}")`),
    });
    expect(await row.locator('td').allTextContents()).toEqual(['12', '0', '108', '0', '0', '120']);
    const pattern = page.locator('#summary-body .pattern', {
      hasText: `step <n> failed: disk full ${run}`,
    });
    expect(await pattern.locator('.pattern-count').textContent()).toBe('12×');
    await pattern.locator('.pattern-entries').click();
    await page.locator('#view-search[data-state="done"]').waitFor();
    const errors = await page.locator('#search-list .entry .level').allTextContents();
    expect(errors).toHaveLength(12);
    expect(new Set(errors)).toEqual(new Set(['ERROR']));
    expectContained();
  });

  it('the status bar shows health: queue depth and Dewey', async () => {
    await page.goto(`${origin}/logs`);
    await page.locator('#status .item', { hasText: 'Dewey up' }).waitFor();
    const items = await page.locator('#status .item').allTextContents();
    expect(items).toContain('ok');
    expect(items.some((item) => /^queue \d+$/.test(item))).toBe(true);
    expectContained();
  });
});
