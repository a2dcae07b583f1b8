import { expect, test } from './fixtures';
import { SUPER_ADMIN } from '../global-setup';
import { AdminUsersPage } from './pages/admin-users.page';
import { LoginPage } from './pages/login.page';
import { SignupPage, uniqueShopper } from './pages/signup.page';

test.describe('admin users', () => {
  test('the super admin creates, disables and re-enables an admin', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');

    const users = new AdminUsersPage(page);
    await users.open();
    await expect(users.heading).toHaveText('Amministratori');
    await expect(users.row(SUPER_ADMIN.email)).toContainText('Super amministratore');

    const email = `admin.${Date.now()}@imagross.it`;
    await users.create(email, 'Mario', 'Neri', 'password admin lunga');
    const row = users.row(email);
    await expect(row.getByTestId('admin-status')).toHaveText('Attivo');
    await users.toggle(email);
    await expect(row.getByTestId('admin-status')).toHaveText('Disattivato');
    await users.toggle(email);
    await expect(row.getByTestId('admin-status')).toHaveText('Attivo');
  });

  test('a shopper is refused on every admin page', async ({ page }) => {
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(uniqueShopper('not-admin'));
    await signup.submit.click();
    await signup.expectCardIssued();
    for (const path of ['/admin', '/admin/users', '/admin/import', '/admin/customers', '/admin/store-keys']) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(403);
      await expect(page.getByTestId('not-allowed')).toHaveText('Non hai i permessi per questa pagina.');
    }
  });

  test('anonymous visitors are asked to log in', async ({ page }) => {
    const res = await page.goto('/admin');
    expect(res?.status()).toBe(401);
    await expect(page.getByTestId('need-login')).toContainText('Accedi per vedere questa pagina.');
  });
});
