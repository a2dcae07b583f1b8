import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The super admin's page `/admin/users`. */
export class AdminUsersPage extends Shell {
  readonly table: Locator;
  readonly created: Locator;

  constructor(page: Page) {
    super(page);
    this.table = page.getByTestId('admins-table');
    this.created = page.getByTestId('admin-created');
  }

  async open(): Promise<void> {
    await this.page.goto('/admin/users');
  }

  row(email: string): Locator {
    return this.table.locator(`tr[data-email="${email}"]`);
  }

  async create(email: string, firstName: string, lastName: string, password: string): Promise<void> {
    await this.page.locator('#new-email').fill(email);
    await this.page.locator('#new-first-name').fill(firstName);
    await this.page.locator('#new-last-name').fill(lastName);
    await this.page.locator('#new-password').fill(password);
    await this.page.locator('main form button[type="submit"]').click();
    await expect(this.created).toHaveText('Amministratore creato.');
  }

  async toggle(email: string): Promise<void> {
    await this.row(email).getByTestId('admin-toggle').click();
  }
}
