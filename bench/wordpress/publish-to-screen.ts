/**
 * Part 2: publish in WordPress (REST, as admin) → visible in the Live Notifications block on an anonymous visitor's
 * page in Chromium. Under Playground with DISABLE_WP_CRON and a cron pump as the dev stack runs it; on the real stacks
 * with WP-Cron as WordPress ships it and no pump (the plugin sends after the response). One event at a time: the next
 * is published once the previous is on screen, so events never queue behind each other.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startCronPump } from '../../stack/cron-pump.js';
import type { PublishToScreenSample } from './report.js';
import type { BenchSite } from './site.js';
import { openVisitorPage, type VisitorPage } from './visitor-page.js';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** The flags e2e/playwright.config.ts launches Chromium with. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PublishToScreenOptions {
  site: BenchSite;
  events: number;
  /** Events published and discarded before the timed ones (cold opcache, the new site's first WP-Cron runs). */
  warmupEvents: number;
  /** null: no cron pump (the real stacks). */
  cronIntervalMs: number | null;
  log: (line: string) => void;
}

export interface PublishToScreenRun {
  samples: PublishToScreenSample[];
  /** wp-cron.php requests the pump completed, and over how long: their mean spacing is the pickup cadence. */
  cronRuns: number;
  cronMs: number;
  /**
   * A read-only admin request (GET /wp-json/) timed after each event while the pump runs: what any request costs
   * in this state, to read the publish request's time against.
   */
  plainRequestMs: number[];
}

/** A page holding the block, listening to post.published only, with times shown (the envelope's time is read from them). */
async function publishBlockPage(site: BenchSite, title: string): Promise<{ link: string }> {
  const attributes = { eventTypes: ['post.published'], maxItems: 50, showTime: true };
  const content = `<!-- wp:${site.slug}/live-notifications ${JSON.stringify(attributes)} /-->`;
  const response = await site.admin.request('/wp-json/wp/v2/pages', { method: 'POST', withNonce: true, json: { title, content, status: 'publish' } });
  if (response.status !== 201) throw new Error(`creating the block page failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  return response.json<{ link: string }>();
}

function chromiumExecutable(): string | undefined {
  const bundled = chromium.executablePath();
  if (bundled && existsSync(bundled)) return undefined;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  throw new Error('no Chromium found: apt-get install -y --no-install-recommends chromium');
}

async function publishOne(site: BenchSite, view: VisitorPage, title: string): Promise<PublishToScreenSample> {
  const requestedAt = Date.now();
  const response = await site.admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title, content: 'Benchmark post.', status: 'publish' } });
  const savedAt = Date.now();
  if (response.status !== 201) throw new Error(`publishing "${title}" failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  const onScreenAt = await view.appearedAt(title, 60_000);
  const iso = await view.itemTime(title);
  const ingestedAt = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ingestedAt)) throw new Error(`the block's item for "${title}" has no datetime (showTime is on); got ${String(iso)}`);
  return { requestedAt, savedAt, ingestedAt, onScreenAt };
}

export async function runPublishToScreen(options: PublishToScreenOptions): Promise<PublishToScreenRun> {
  const { site, log } = options;
  if (!site.relay.running) await site.relay.start();
  await site.admin.restNonce();
  const page = await publishBlockPage(site, `Benchmark block page ${Date.now().toString(36)}`);
  const pumpStarted = Date.now();
  const cronIntervalMs = options.cronIntervalMs;
  const pump = cronIntervalMs === null ? null : startCronPump({ siteUrl: site.wordpress.url, intervalMs: cronIntervalMs, onError: (error) => log(`cron pump: ${error.message}`) });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const view = await openVisitorPage(browser, site.wordpress.url, page.link, site.slug);
    log(`publish-to-screen: the visitor's block is live; ${cronIntervalMs === null ? 'no cron pump (WP-Cron as shipped)' : `cron pump every ${cronIntervalMs} ms`}`);
    for (let i = 1; i <= options.warmupEvents; i++) {
      const w = await publishOne(site, view, `Warm-up ${i} ${Date.now().toString(36)}`);
      log(`publish-to-screen warm-up ${i}/${options.warmupEvents} (not counted): ${w.onScreenAt - w.requestedAt} ms (outbox → relay ${w.ingestedAt - w.savedAt})`);
    }
    const samples: PublishToScreenSample[] = [];
    const plainRequestMs: number[] = [];
    for (let i = 1; i <= options.events; i++) {
      const s = await publishOne(site, view, `Bench event ${i} ${Date.now().toString(36)}`);
      samples.push(s);
      const plainStarted = performance.now();
      const plain = await site.admin.request('/wp-json/');
      if (plain.status !== 200) throw new Error(`GET /wp-json/ answered HTTP ${plain.status}`);
      plainRequestMs.push(performance.now() - plainStarted);
      log(
        `publish-to-screen ${i}/${options.events}: ${s.onScreenAt - s.requestedAt} ms (publish ${s.savedAt - s.requestedAt}, ` +
          `outbox → relay ${s.ingestedAt - s.savedAt}, relay → screen ${s.onScreenAt - s.ingestedAt})`,
      );
    }
    if (view.errors.length > 0) log(`page errors on the visitor's page: ${view.errors.join('; ')}`);
    return { samples, cronRuns: pump?.runs ?? 0, cronMs: Date.now() - pumpStarted, plainRequestMs };
  } finally {
    await pump?.stop();
    await browser.close();
  }
}
