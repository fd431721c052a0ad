/**
 * Real Chromium for the UI tests: Debian's `chromium` driven by playwright-core, headless, with
 * no network of its own (no updates, sync or QUIC). Every page records its console errors and
 * warnings and its failed requests, so a test can assert there were none; screenshots go under
 * `.mosaic/ui-shots/` (ignored by git) for review.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Why the UI tests cannot run here, or null when they can. */
export const chromiumMissing = (): string | null => (existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`);

export const SHOTS_DIR = join(import.meta.dirname, '..', '..', '.mosaic', 'ui-shots');

export interface WatchedPage {
  page: Page;
  /** Console errors and warnings, page errors, and failed requests, in order. */
  problems: string[];
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A page that records what went wrong in it. `ignore` filters problems a test provokes on purpose. */
export async function watchedPage(context: BrowserContext, ignore: (problem: string) => boolean = () => false): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const note = (p: string) => void (ignore(p) || problems.push(p));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') note(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A player aborting a segment it no longer needs is not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') note(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const path = join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
