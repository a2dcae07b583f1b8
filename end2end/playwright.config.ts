import { defineConfig } from '@playwright/test';

// Drives Debian's Chromium (never a downloaded browser) against the real server that
// `cargo leptos end-to-end` starts (or BASE_URL when given).
export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3000',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  // The page-by-page checks run last, as projects of their own: they add sessions and visits,
  // and the feature specs' figures are timed against the data the global setup imports.
  projects: [
    { name: 'mobile', testIgnore: /sanity\.spec\.ts/, use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
    { name: 'desktop', testIgnore: /sanity\.spec\.ts/, use: { viewport: { width: 1280, height: 800 } } },
    {
      name: 'sanity-mobile',
      testMatch: /sanity\.spec\.ts/,
      dependencies: ['mobile', 'desktop'],
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    },
    { name: 'sanity-desktop', testMatch: /sanity\.spec\.ts/, dependencies: ['mobile', 'desktop'], use: { viewport: { width: 1280, height: 800 } } },
  ],
});
