import { expect, type Locator, type Page } from '@playwright/test';

/** The page shell every route shares: header, navigation, language switch. */
export class Shell {
  readonly page: Page;
  readonly heading: Locator;

  constructor(page: Page) {
    this.page = page;
    this.heading = page.locator('main h1');
  }

  langButton(code: 'it' | 'en'): Locator {
    return this.page.locator(`.lang-switch button[data-lang="${code}"]`);
  }

  async switchLanguage(code: 'it' | 'en'): Promise<void> {
    await this.langButton(code).click();
    await expect(this.langButton(code)).toHaveAttribute('aria-pressed', 'true');
    await expect(this.page.locator('html')).toHaveAttribute('lang', code);
  }
}
