import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The admin's `/admin/campaigns` and a campaign's report. */
export class CampaignsPage extends Shell {
  readonly table: Locator;
  readonly preview: Locator;
  readonly error: Locator;

  constructor(page: Page) {
    super(page);
    this.table = page.getByTestId('campaigns-table');
    this.preview = page.getByTestId('campaign-preview-result');
    this.error = page.getByTestId('campaign-error');
  }

  async open(): Promise<void> {
    await this.page.goto('/admin/campaigns');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Campagne');
  }

  field(name: string): Locator {
    return this.page.locator(`#campaign-${name}`);
  }

  /** Fills the audience, previews it and expects `reachable` shoppers. */
  async previewAudience(fields: Record<string, string>, reachable: string): Promise<void> {
    await this.field('range').selectOption(fields.range ?? 'all');
    for (const [k, v] of Object.entries(fields)) {
      if (k !== 'range') await this.field(k).fill(v);
    }
    await expect(async () => {
      await this.page.getByTestId('campaign-preview').click();
      await expect(this.page.getByTestId('preview-reachable')).toHaveText(reachable, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
  }

  /** A basket offer: `points` points above `minEuros`, then launch; the campaign's id. */
  async launchBasket(name: string, from: string, to: string, minEuros: string, points: string, budget: string): Promise<string> {
    await this.field('name').fill(name);
    await this.field('starts_on').fill(from);
    await this.field('ends_on').fill(to);
    await this.field('offer_kind').selectOption('basket');
    await this.field('min_spend_eur').fill(minEuros);
    await this.field('points').fill(points);
    await this.field('budget').fill(budget);
    await this.field('per_shopper_limit').fill('1');
    await this.page.getByTestId('campaign-launch').click();
    const launched = this.page.getByTestId('campaign-launched');
    await expect(launched).toContainText('Campagna lanciata', { timeout: 15_000 });
    const id = ((await launched.textContent()) ?? '').match(/C\d{4,}/)?.[0] ?? '';
    expect(id).not.toBe('');
    return id;
  }

  row(id: string): Locator {
    return this.table.locator(`tr[data-campaign="${id}"]`);
  }
}
