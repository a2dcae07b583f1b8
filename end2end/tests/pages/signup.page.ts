import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell.page';

/** What a shopper types into the signup form. */
export interface Shopper {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  birthDate: string;
  password: string;
}

/** A shopper with unique contact data, so specs never collide. */
export function uniqueShopper(tag: string): Shopper {
  const n = `${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(-7);
  return {
    firstName: 'Giulia',
    lastName: 'Bianchi',
    email: `giulia.${tag}.${n}@example.it`,
    phone: `333 ${n}`,
    birthDate: '1990-05-17',
    password: 'una password lunga',
  };
}

/** The signup page `/signup`. */
export class SignupPage extends Shell {
  readonly submit: Locator;
  readonly newCardNumber: Locator;

  constructor(page: Page) {
    super(page);
    this.submit = page.locator('main form button[type="submit"]');
    this.newCardNumber = page.getByTestId('new-card-number');
  }

  async open(): Promise<void> {
    await this.page.goto('/signup');
  }

  field(name: string): Locator {
    return this.page.locator(`[name="${name}"]`);
  }

  error(name: string): Locator {
    return this.page.locator(`.field-error[data-field="${name}"]`);
  }

  async fill(s: Shopper): Promise<void> {
    await this.field('first_name').fill(s.firstName);
    await this.field('last_name').fill(s.lastName);
    await this.field('email').fill(s.email);
    await this.field('phone').fill(s.phone);
    await this.field('birth_date').fill(s.birthDate);
    await this.field('password').fill(s.password);
    await this.field('password_confirm').fill(s.password);
    await this.field('privacy_consent').check();
  }

  async expectCardIssued(): Promise<string> {
    await expect(this.newCardNumber).toHaveText(/^27\d{11}$/);
    return (await this.newCardNumber.textContent()) ?? '';
  }
}
