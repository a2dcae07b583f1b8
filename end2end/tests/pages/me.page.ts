import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The claim form and the personal area `/me`, `/me/receipts`. */
export class MePage extends Shell {
  readonly points: Locator;
  readonly level: Locator;
  readonly badges: Locator;
  readonly challenges: Locator;
  readonly receipts: Locator;

  constructor(page: Page) {
    super(page);
    this.points = page.getByTestId('me-points');
    this.level = page.getByTestId('me-level');
    this.badges = page.getByTestId('me-badges');
    this.challenges = page.getByTestId('me-challenges');
    this.receipts = page.getByTestId('my-receipts');
  }

  /** Claims `card` with `proof` (with a birth date, `phoneLast4` too). */
  async claim(card: string, proof: string, password: string, phoneLast4 = ''): Promise<void> {
    await this.page.goto('/claim');
    await this.page.locator('#card_number').fill(card);
    await this.page.locator('#proof').fill(proof);
    if (phoneLast4) await this.page.locator('#phone_last4').fill(phoneLast4);
    await this.page.locator('#claim-password').fill(password);
    await this.page.locator('#claim-password-confirm').fill(password);
    await this.page.locator('main form button[type="submit"]').click();
    await expect(this.page).toHaveURL(/\/me\/card$/);
  }

  /** Opens `/me`, reloading until the server has credited the imported receipts. */
  async openWithPoints(points: string): Promise<void> {
    await expect(async () => {
      await this.page.goto('/me');
      await expect(this.points).toHaveText(points, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  }
}
