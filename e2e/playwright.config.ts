/**
 * Playwright runs the in-WordPress tests: one real WordPress for the whole run, so one worker.
 * Chromium: Playwright's own build when installed, otherwise Debian's /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { chromium } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

function chromiumExecutable(): string | undefined {
  const bundled = chromium.executablePath();
  if (bundled && existsSync(bundled)) return undefined;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  throw new Error(`no Chromium found: install one with \`apt-get install -y --no-install-recommends chromium\` (or \`npx playwright install chromium\` where the download works)`);
}

export default defineConfig({
  testDir: './specs',
  // Per instance: a second suite running at the same time (WP_REALTIME_E2E_INSTANCE) must not wipe this one's traces.
  outputDir: `../test-results/${process.env['WP_REALTIME_E2E_INSTANCE'] || 'e2e'}`,
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  // WordPress in WebAssembly on a shared 2-core CI machine can stall for seconds; one retry in CI absorbs that, and
  // the report still marks such a test as flaky.
  retries: process.env['CI'] ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: `../playwright-report/${process.env['WP_REALTIME_E2E_INSTANCE'] || 'e2e'}` }],
    // The matrix runner (e2e/run-matrix.ts) sums the counts of every combination from this file.
    ...(process.env['WP_REALTIME_E2E_JSON_REPORT'] ? [['json', { outputFile: process.env['WP_REALTIME_E2E_JSON_REPORT'] }] as ['json', { outputFile: string }]] : []),
  ],
  use: {
    baseURL: `http://localhost:${process.env['WP_REALTIME_E2E_WP_PORT'] ?? 8890}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'in-wordpress', use: { browserName: 'chromium' }, testIgnore: /plugin-uninstall\.spec\.ts$/ },
    // Deleting the plugin takes it away from every later test, so uninstall runs last.
    { name: 'uninstall', use: { browserName: 'chromium' }, testMatch: /plugin-uninstall\.spec\.ts$/, dependencies: ['in-wordpress'] },
  ],
});
