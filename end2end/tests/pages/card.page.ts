import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The card page `/me/card`. */
export class CardPage extends Shell {
  readonly holder: Locator;
  readonly number: Locator;
  readonly barcode: Locator;
  readonly qr: Locator;
  readonly level: Locator;
  readonly points: Locator;

  constructor(page: Page) {
    super(page);
    this.holder = page.getByTestId('card-holder');
    this.number = page.getByTestId('card-number');
    this.barcode = page.getByTestId('card-barcode');
    this.qr = page.getByTestId('card-qr');
    this.level = page.getByTestId('card-level');
    this.points = page.getByTestId('card-points');
  }

  async open(): Promise<void> {
    await this.page.goto('/me/card');
  }

  /** The barcode is an SVG with 30 bars (EAN-13 always has 30) and a visible size. */
  async expectBarcode(card: string): Promise<void> {
    await expect(this.barcode.locator('svg')).toBeVisible();
    await expect(this.barcode.locator('rect.bar')).toHaveCount(30);
    await expect(this.barcode.locator('text')).toHaveText(card);
    const box = await this.barcode.locator('svg').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(150);
  }
}
