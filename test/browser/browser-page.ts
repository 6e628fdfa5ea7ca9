import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium (`apt-get install -y chromium`), driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

const root = resolve(import.meta.dirname, '../..');

/**
 * Starts headless Chromium. Without it the browser suites fail with the
 * command to install it, rather than skipping: a missing browser must not
 * pass for a clean run.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: the browser tests need it (apt-get install -y chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/** A page and what it did that a test checks afterwards. */
export interface WatchedPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Requests to anything but `origin` (data: URLs stay in the page and are not counted). */
  outside: string[];
  /** Messages of alert/confirm/prompt dialogs that opened (each dismissed). */
  dialogs: string[];
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Console reports of Content-Security-Policy violations. */
  cspViolations: string[];
}

/** Opens a page in `context` that records requests, dialogs, errors and CSP reports. */
export async function watchedPage(context: BrowserContext, origin: string): Promise<WatchedPage> {
  // Shorter than a test's 30 s, so that a missing element fails with its
  // selector rather than with the test's timeout.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const watched: WatchedPage = {
    page,
    requests: [],
    outside: [],
    dialogs: [],
    errors: [],
    cspViolations: [],
  };
  page.on('request', (request) => {
    const url = request.url();
    watched.requests.push(url);
    if (!url.startsWith('data:') && new URL(url).origin !== origin) watched.outside.push(url);
  });
  page.on('dialog', (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watched.errors.push(String(error)));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy'))
      watched.cspViolations.push(message.text());
  });
  return watched;
}

/** Saves a screenshot of the page under the repository (e.g. `docs/images/explorer-live.png`). */
export async function screenshot(page: Page, path: string): Promise<void> {
  const file = resolve(root, path);
  await mkdir(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: false });
}

/**
 * Opens every folded JSON tree under `selector`, level by level (a tree
 * builds its children when first opened), so that all of `data` is in the DOM.
 */
export async function unfoldAll(page: Page, selector: string): Promise<void> {
  for (let depth = 0; depth < 20; depth++) {
    // Setting `open` fires the toggle event that builds a tree's children.
    const opened = await page.$$eval(`${selector} details:not([open])`, (closed) => {
      for (const details of closed) details.setAttribute('open', '');
      return closed.length;
    });
    if (opened === 0) return;
    await expect
      .poll(() =>
        page.$$eval(`${selector} details[open]`, (all) =>
          all.every((details) => details.querySelector(':scope > .json-children') !== null),
        ),
      )
      .toBe(true);
  }
  throw new Error(`unfoldAll: trees under ${selector} nest deeper than 20 levels`);
}
