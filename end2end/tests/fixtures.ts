import { expect, test as base } from '@playwright/test';

/**
 * Every browser test runs with this guard: a JavaScript error or a console error on any page
 * fails the test. A refused request (4xx) that the page answers with a message is the app
 * working, not an error; Chromium still logs it as "Failed to load resource", so only those
 * lines with a 4xx status are let through.
 */
export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const text = msg.text();
        if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
        errors.push(`console error on ${page.url()}: ${text}`);
      });
      await use();
      expect(errors, 'no console or page errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
