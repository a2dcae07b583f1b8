import { expect, test } from './fixtures';
import { SignupPage, uniqueShopper } from './pages/signup.page';
import { CardPage } from './pages/card.page';
import { LoginPage } from './pages/login.page';

test.describe('digital card', () => {
  test('sign up, see the card, log out, log back in by card number and see it again', async ({ page }) => {
    const shopper = uniqueShopper('card');
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(shopper);
    await signup.submit.click();
    const cardNumber = await signup.expectCardIssued();
    await page.getByTestId('go-to-card').click();

    const card = new CardPage(page);
    await expect(card.heading).toHaveText('La mia carta');
    await expect(card.number).toHaveText(cardNumber);
    await expect(card.holder).toHaveText(`${shopper.firstName} ${shopper.lastName}`);
    await card.expectBarcode(cardNumber);
    await expect(card.qr.locator('svg')).toBeVisible();
    await expect(card.level).toHaveText('Bronzo');
    await expect(card.points).toHaveText('0');

    const login = new LoginPage(page);
    await login.logOut();
    await card.open();
    await expect(page.locator('main')).toContainText('Accedi per vedere questa pagina.');

    // The page's login link brings the shopper back to the card.
    await page.getByTestId('login-link-next').click();
    await login.logIn(cardNumber, shopper.password);
    await expect(page).toHaveURL(/\/me\/card$/);
    await expect(card.number).toHaveText(cardNumber);
    await card.expectBarcode(cardNumber);
  });
});
