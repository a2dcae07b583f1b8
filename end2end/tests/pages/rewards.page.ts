import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The shopper's `/me/rewards` and `/me/points`, and the admin's `/admin/rewards`. */
export class RewardsPage extends Shell {
  readonly balance: Locator;
  readonly offers: Locator;
  readonly vouchers: Locator;
  readonly done: Locator;

  constructor(page: Page) {
    super(page);
    this.balance = page.getByTestId('rewards-balance');
    this.offers = page.getByTestId('offer');
    this.vouchers = page.getByTestId('voucher');
    this.done = page.getByTestId('redeem-done');
  }

  /** Opens `/me/rewards`, reloading until the balance is `points` (the ledger follows imports). */
  async openWithBalance(points: string): Promise<void> {
    await expect(async () => {
      await this.page.goto('/me/rewards');
      await expect(this.balance).toHaveText(points, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  }

  offer(title: string): Locator {
    return this.offers.filter({ hasText: title });
  }

  /** Redeems the reward titled `title`, confirming; the voucher code. */
  async redeem(title: string): Promise<string> {
    await this.offer(title).getByTestId('redeem').click();
    await expect(this.page.getByTestId('redeem-confirm')).toContainText(title);
    await this.page.getByTestId('redeem-yes').click();
    await expect(this.done).toBeVisible();
    const code = (await this.done.locator('strong').textContent()) ?? '';
    expect(code).toMatch(/^29\d{11}$/);
    return code;
  }

  voucher(code: string): Locator {
    return this.page.locator(`[data-testid="voucher"][data-code="${code}"]`);
  }

  /** Gives `card` points from its customer page (the admin's manual adjustment). */
  async adjustPoints(card: string, points: number, reason: string): Promise<void> {
    await expect(async () => {
      await this.page.goto(`/admin/customers/${card}`);
      await expect(this.page.locator('#adjust-points')).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await this.page.locator('#adjust-points').fill(String(points));
    await this.page.locator('#adjust-reason').fill(reason);
    await this.page.locator('#adjust-points').press('Enter');
    await expect(this.page.getByTestId('adjust-done')).toBeVisible();
  }

  /** Creates a voucher reward in the admin catalogue. */
  async createVoucherReward(title: string, points: number, euros: string): Promise<void> {
    await this.page.goto('/admin/rewards');
    await this.page.locator('#reward-kind').selectOption('voucher');
    await this.page.locator('#reward-title_it').fill(title);
    await this.page.locator('#reward-title_en').fill(`${title} (en)`);
    await this.page.locator('#reward-points').fill(String(points));
    await this.page.locator('#reward-value_eur').fill(euros);
    await this.page.getByTestId('reward-submit').click();
    await expect(this.page.getByTestId('rewards-table')).toContainText(title);
  }
}
