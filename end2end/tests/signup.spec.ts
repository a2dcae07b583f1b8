import { expect, test } from './fixtures';
import { SignupPage, uniqueShopper } from './pages/signup.page';
import { HomePage } from './pages/home.page';
import { validEan13 } from '../ean';


test.describe('signup', () => {
  test('shows Italian messages as soon as a wrong field is left', async ({ page }) => {
    // Hydrate on the home page first (the chart reports it), then navigate client-side.
    const home = new HomePage(page);
    await home.open();
    await home.waitForHydration();
    await page.locator('.nav-links a[href="/signup"]').click();
    const signup = new SignupPage(page);
    await expect(signup.heading).toHaveText('Crea la tua carta digitale');

    await signup.field('email').fill('mario@');
    await signup.field('phone').focus();
    await expect(signup.error('email')).toHaveText('Indirizzo email non valido.');
    await expect(signup.field('email')).toHaveAttribute('aria-invalid', 'true');
    await signup.field('phone').fill('12');
    await signup.field('birth_date').focus();
    await expect(signup.error('phone')).toContainText('Numero di telefono non valido');
    await signup.field('birth_date').fill('2015-01-01');
    await signup.field('password').focus();
    await expect(signup.error('birth_date')).toHaveText('Devi avere almeno 18 anni.');
    await signup.field('email').fill('mario@example.it');
    await expect(signup.error('email')).toBeEmpty();
  });

  test('a shopper signs up and gets a valid digital card', async ({ page }) => {
    const home = new HomePage(page);
    await home.open();
    await home.waitForHydration();
    await page.locator('.nav-links a[href="/signup"]').click();
    const signup = new SignupPage(page);
    await signup.fill(uniqueShopper('hydrated'));
    await signup.submit.click();
    const card = await signup.expectCardIssued();
    expect(validEan13(card)).toBe(true);
  });

  test('the same email cannot sign up twice', async ({ page }) => {
    const shopper = uniqueShopper('twice');
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(shopper);
    await signup.submit.click();
    await signup.expectCardIssued();

    await signup.open();
    await signup.fill({ ...shopper, phone: '+44 20 7946 0958' });
    await signup.submit.click();
    await expect(signup.error('email')).toHaveText('Già registrato: accedi o usa un altro valore.');
  });

  test('the form works without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(uniqueShopper('nojs'));
    await signup.submit.click();
    await expect(page).toHaveURL(/\/signup\?card=27\d{11}$/);
    const card = await signup.expectCardIssued();
    expect(validEan13(card)).toBe(true);

    await signup.open();
    await signup.fill({ ...uniqueShopper('nojs-young'), birthDate: '2015-01-01' });
    await signup.submit.click();
    await expect(page).toHaveURL(/error=birth_date:too_young/);
    await expect(signup.error('birth_date')).toHaveText('Devi avere almeno 18 anni.');
    await context.close();
  });
});
