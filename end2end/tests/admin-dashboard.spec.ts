import { expect, test } from './fixtures';
import { SUPER_ADMIN } from '../global-setup';
import { expectChartPainted } from './charts';
import { DashboardPage } from './pages/dashboard.page';
import { LoginPage } from './pages/login.page';

// The global setup imports server/fixtures/import (3 receipts, 14–15 March 2025):
// S01 Maria 23,40; S01 no card 5,00; S02 Luca 12,34. March 2025 holds only those (the
// personal-area spec's receipts are recent).
const MARCH_2025 = 'range=custom&from=2025-03-01&to=2025-03-31';
test.describe('admin dashboard', () => {
  test.beforeEach(async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');
  });

  test('charts draw, a filter changes the numbers and the URL, an export matches the table', async ({ page }) => {
    const dash = new DashboardPage(page);
    await dash.openWithData(MARCH_2025, '€ 40,74');
    await expect(dash.receipts).toHaveText('3');
    await expect(page.getByTestId('kpi-loyalty_share')).toHaveText('87,7 %');
    // The models are fitted on all the data: the 2 fixture cardholders and the 2 of the
    // personal-area spec, plus the shopper of each project's live-receipt spec once a rebuild
    // has folded the live receipts in (within a minute, so it depends on the run's timing).
    await expect(page.getByTestId('clv-bgnbd')).toContainText(/n = [456] clienti/);
    for (const id of ['chart-series', 'chart-departments', 'chart-stores', 'chart-heatmap', 'chart-segments']) {
      await expect(page.locator(`#${id}`)).toHaveAttribute('data-drawn', 'true');
      await expectChartPainted(page.locator(`#${id}`));
    }

    await dash.tick('store', 'S02');
    await dash.apply.click();
    await expect(page).toHaveURL(/[?&]store=S02/);
    await expect(dash.revenue).toHaveText('€ 12,34');
    await expect(dash.receipts).toHaveText('1');
    await expect(page.locator('#chart-stores')).toHaveAttribute('data-drawn', 'true');

    const rows = await dash.tableRows('table-stores');
    expect(rows).toEqual([['S02', 'S02', '€ 12,34', '1', '€ 12,34', '1']]);
    const csv = (await dash.download('export-stores-csv')).replace(/^\ufeff/, '').trim().split(/\r?\n/);
    expect(csv[0]).toBe('code;name;revenue_eur;receipts;average_ticket_eur;cardholders');
    expect(csv.slice(1)).toEqual(rows.map((r) => [r[0], r[1], r[2].replace('€ ', ''), r[3], r[4].replace('€ ', ''), r[5]].join(';')));

    await page.goBack();
    await expect(page).not.toHaveURL(/store=S02/);
    await expect(dash.revenue).toHaveText('€ 40,74');
  });

  test('a filter with nothing to show says so instead of showing zeros', async ({ page }) => {
    const dash = new DashboardPage(page);
    await dash.openWithData(MARCH_2025, '€ 40,74');
    await page.goto('/admin?range=custom&from=2024-01-01&to=2024-01-31');
    await expect(dash.revenue).toHaveText('Nessun dato per i filtri scelti.');
    await expect(page.getByTestId('w-series').getByTestId('no-data')).toBeVisible();
  });

  test('the customer list searches, links to the 360 view and exports its rows', async ({ page }) => {
    const dash = new DashboardPage(page);
    await dash.openWithData(MARCH_2025, '€ 40,74');
    await page.goto(`/admin/customers?${MARCH_2025}`);
    const table = page.getByTestId('customers-table');
    await expect(table.locator('tbody tr')).toHaveCount(2);
    const csv = (await dash.download('export-customers-csv')).replace(/^\ufeff/, '').trim().split(/\r?\n/);
    const cards = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-card')));
    expect(csv.slice(1).map((l) => l.split(';')[0])).toEqual(cards);

    await dash.openFilters();
    await page.getByTestId('search').fill('bianchi');
    await page.getByTestId('apply-filters').click();
    await expect(page).toHaveURL(/q=bianchi/);
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await table.locator('tbody tr a').first().click();
    await expect(page).toHaveURL(/\/admin\/customers\/2000000000022/);
    await expect(page.getByTestId('customer-name')).toHaveText('Luca Bianchi');
    // The 360 view scores over all the data: Maria, Luca, the two recent shoppers of the
    // personal-area spec and the two of the campaign spec (n = 6; position i scores
    // 1 + ⌊5·i/6⌋). Luca: R 1 (second oldest, position 1), F 1 (one receipt, as Maria and the
    // campaign shoppers, ties broken by card number: position 1), M 1 (12,34 is the smallest)
    // → Lost.
    await expect(page.getByTestId('customer-segment')).toHaveText('Persi');
    // One purchase day only: BG/NBD says certainly alive.
    await expect(page.getByTestId('customer-p-alive')).toHaveText('100,0 %');
    await expect(page.locator('#chart-customer-monthly')).toHaveAttribute('data-drawn', 'true');
  });
});
