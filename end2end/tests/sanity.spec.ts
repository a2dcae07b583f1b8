import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { SUPER_ADMIN } from '../global-setup';
import { expect, test } from './fixtures';
import { LoginPage } from './pages/login.page';
import { MePage } from './pages/me.page';

// Every page, as a visitor, a shopper with a history and the super admin, on phone and
// desktop: zero serious or critical accessibility violations (axe-core, WCAG 2.1 A/AA), no
// horizontal scrolling at 360 px, and (through the fixtures) no console error.

const NARROW = { width: 360, height: 800 };

async function checkPage(page: Page, path: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  // At 360 px: laid out and drawn at that width from the start.
  await page.setViewportSize(NARROW);
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${path} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
  // At the project's size: accessibility.
  await page.setViewportSize(size);
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(bad, `${path}: serious or critical accessibility violations`).toEqual([]);
}

test.describe('every page is accessible, fits 360 px and logs no error', () => {
  test('as a visitor', async ({ page }) => {
    for (const path of ['/', '/signup', '/login', '/claim', '/no-such-page']) {
      await checkPage(page, path);
    }
  });

  test('as a shopper with a history', async ({ page }, info) => {
    // A cardholder of the dashboard's fixture files (one receipt each), claimed online: the
    // claim adds an account and changes no figure the dashboard specs check.
    const [card, birth, last4] = info.project.name.endsWith('mobile')
      ? ['2000000000015', '1990-05-17', '4567']
      : ['2000000000022', '1975-01-02', '4321'];
    const me = new MePage(page);
    await me.claim(card, birth, 'una password per la verifica', last4);
    let receipt: string | null = null;
    await expect(async () => {
      await page.goto('/me/receipts');
      receipt = await page.getByTestId('my-receipts').locator('a').first().getAttribute('href', { timeout: 1_000 });
      expect(receipt).toMatch(/^\/me\/receipts\//);
    }).toPass({ timeout: 30_000 });
    for (const path of ['/', '/me', '/me/card', '/me/receipts', receipt as unknown as string, '/me/profile', '/me/rewards', '/me/points']) {
      await checkPage(page, path);
    }
  });

  test('as the super admin', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await expect(page).toHaveURL(/\/admin$/);
    for (const path of [
      '/admin',
      '/admin?range=custom&from=2025-03-01&to=2025-03-31',
      '/admin/customers?range=all',
      '/admin/customers/2000000000022',
      '/admin/import',
      '/admin/users',
      '/admin/store-keys',
      '/admin/rewards',
    ]) {
      await checkPage(page, path);
    }
  });
});
