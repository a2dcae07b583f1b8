import { expect, type Locator, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import { Shell } from './shell.page';

/** The admin dashboard `/admin` and the customer list `/admin/customers`. */
export class DashboardPage extends Shell {
  readonly revenue: Locator;
  readonly receipts: Locator;
  readonly apply: Locator;

  constructor(page: Page) {
    super(page);
    this.revenue = page.getByTestId('kpi-revenue');
    this.receipts = page.getByTestId('kpi-receipts');
    this.apply = page.getByTestId('apply-filters');
  }

  /** Opens the dashboard with a query, reloading until the server's projection holds data. */
  async openWithData(query: string, expectedRevenue: string): Promise<void> {
    await expect(async () => {
      await this.page.goto(`/admin?${query}`);
      await expect(this.revenue).toHaveText(expectedRevenue, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  }

  /** Unfolds the filter panel where it is folded (phones: a summary line of the active filters). */
  async openFilters(): Promise<void> {
    const summary = this.page.getByTestId('filter-summary');
    if ((await summary.isVisible()) && !(await this.page.getByTestId('filter-panel').getAttribute('open'))) {
      await summary.click();
    }
  }

  /** Ticks a value of a multi-valued filter (stores, departments). */
  async tick(filter: 'store' | 'dept', value: string): Promise<void> {
    await this.openFilters();
    const group = this.page.getByTestId(`filter-${filter}`);
    if (!(await group.getAttribute('open'))) await group.locator('summary').click();
    await group.locator(`input[value="${value}"]`).check();
  }

  /** Rows of a widget's table as arrays of cell texts. */
  async tableRows(testId: string): Promise<string[][]> {
    return this.page.getByTestId(testId).locator('tbody tr').evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())),
    );
  }

  /** Clicks an export link and returns the downloaded file's text. */
  async download(testId: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId(testId).click();
    return fs.readFileSync(await (await download).path(), 'utf8');
  }
}
