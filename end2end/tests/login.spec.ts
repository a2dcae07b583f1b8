import { expect, test } from './fixtures';
import { SignupPage, uniqueShopper } from './pages/signup.page';
import { LoginPage } from './pages/login.page';
import { SUPER_ADMIN } from '../global-setup';

test.describe('login', () => {
  test('sign up, log out, then log in by card number, email and phone', async ({ page }) => {
    const shopper = uniqueShopper('login');
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(shopper);
    await signup.submit.click();
    const card = await signup.expectCardIssued();

    const login = new LoginPage(page);
    const spacedCard = `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8)}`;
    for (const identifier of [spacedCard, shopper.email.toUpperCase(), `+39 ${shopper.phone}`]) {
      await login.open();
      await login.logIn(identifier, shopper.password);
      await expect(page).toHaveURL(/\/me$/);
      await login.expectLoggedIn(shopper.firstName);
      // The session survives a full reload (server render reads the cookie).
      await page.reload();
      await login.expectLoggedIn(shopper.firstName);
      await login.logOut();
      await expect(page).toHaveURL(/\/$/);
    }
  });

  test('a wrong password gets one generic message', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn('nessuno@example.it', 'password sbagliata');
    await expect(login.error).toHaveText('Credenziali non valide.');
  });

  test('login works without JavaScript', async ({ browser }) => {
    const shopper = uniqueShopper('login-nojs');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(shopper);
    await signup.submit.click();
    await signup.expectCardIssued();
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(shopper.email, shopper.password);
    await expect(page).toHaveURL(/\/me$/);
    await login.expectLoggedIn(shopper.firstName);
    await login.open();
    await login.logIn(shopper.email, 'password sbagliata');
    await expect(page).toHaveURL(/\/login\?error=401$/);
    await expect(login.error).toHaveText('Credenziali non valide.');
    await context.close();
  });

  test('an admin lands on the dashboard, and a login link brings anyone back to where they were', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await expect(page).toHaveURL(/\/admin$/);
    await login.expectLoggedIn('Admin');
    await login.logOut();

    await page.goto('/admin/customers?q=rossi');
    await page.getByTestId('login-link-next').click();
    await expect(page).toHaveURL(/\/login\?next=/);
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await expect(page).toHaveURL(/\/admin\/customers\?q=rossi$/);
  });

  test('a shopper sent from a page they may open lands there; the admin area is never a shopper\'s landing', async ({ page }) => {
    const shopper = uniqueShopper('login-next');
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(shopper);
    await signup.submit.click();
    await signup.expectCardIssued();
    const login = new LoginPage(page);
    await login.logOut();
    await page.goto('/login?next=%2Fadmin');
    await login.logIn(shopper.email, shopper.password);
    await expect(page).toHaveURL(/\/me$/);
    await login.logOut();
    await page.goto('/login?next=%2Fme%2Freceipts');
    await login.logIn(shopper.email, shopper.password);
    await expect(page).toHaveURL(/\/me\/receipts$/);
  });
});
