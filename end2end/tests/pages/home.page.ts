import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The public home page `/`. */
export class HomePage extends Shell {
  readonly weeklySpend: Locator;
  readonly yearlyPoints: Locator;
  readonly levelReached: Locator;
  readonly levelsChart: Locator;

  constructor(page: Page) {
    super(page);
    this.weeklySpend = page.locator('#weekly-spend');
    this.yearlyPoints = page.getByTestId('yearly-points');
    this.levelReached = page.getByTestId('level-reached');
    this.levelsChart = page.locator('#levels-chart');
  }

  async open(): Promise<void> {
    await this.page.goto('/');
  }

  /** Hydration is done when the chart, drawn only by the browser, reports it is drawn. */
  async waitForHydration(): Promise<void> {
    await expect(this.levelsChart).toHaveAttribute('data-drawn', 'true');
  }

  async estimate(weeklyEuros: number): Promise<void> {
    await this.weeklySpend.fill(String(weeklyEuros));
  }
}
