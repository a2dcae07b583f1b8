import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The admin page `/admin/store-keys`: the tills' API keys. */
export class StoreKeysPage extends Shell {
  readonly table: Locator;
  readonly createdKey: Locator;

  constructor(page: Page) {
    super(page);
    this.table = page.getByTestId('store-keys-table');
    this.createdKey = page.getByTestId('store-key-value');
  }

  async open(): Promise<void> {
    await this.page.goto('/admin/store-keys');
  }

  /** Creates a key and returns it (shown only now). */
  async create(store: string, label: string): Promise<string> {
    await this.page.locator('#key-store').fill(store);
    await this.page.locator('#key-label').fill(label);
    await this.page.getByTestId('store-key-submit').click();
    await expect(this.createdKey).toHaveText(/^igk_[0-9a-f]{64}$/);
    return (await this.createdKey.textContent()) ?? '';
  }

  row(key: string): Locator {
    return this.table.locator(`tr[data-prefix="${key.slice(0, 12)}"]`);
  }

  async revoke(key: string): Promise<void> {
    await this.row(key).getByTestId('store-key-revoke').click();
  }
}
