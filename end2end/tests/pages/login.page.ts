import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** The login page `/login` and the header's account area. */
export class LoginPage extends Shell {
  readonly identifier: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly greeting: Locator;
  readonly logoutButton: Locator;

  constructor(page: Page) {
    super(page);
    this.identifier = page.locator('#identifier');
    this.password = page.locator('#password');
    this.submit = page.locator('main form button[type="submit"]');
    this.error = page.getByTestId('login-error');
    this.greeting = page.getByTestId('greeting');
    this.logoutButton = page.getByTestId('logout');
  }

  async open(): Promise<void> {
    await this.page.goto('/login');
  }

  async logIn(identifier: string, password: string): Promise<void> {
    await this.identifier.fill(identifier);
    await this.password.fill(password);
    await this.submit.click();
  }

  async expectLoggedIn(firstName: string): Promise<void> {
    await expect(this.greeting).toHaveText(`Ciao, ${firstName}`);
  }

  async logOut(): Promise<void> {
    await this.logoutButton.click();
    await expect(this.page.locator('.login-link')).toBeVisible();
  }
}
