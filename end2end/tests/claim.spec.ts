import { expect, test } from './fixtures';
import { CardPage } from './pages/card.page';

test.describe('claim a plastic card', () => {
  test('a card that does not match gets one generic message', async ({ page }) => {
    await page.goto('/claim');
    await expect(page.locator('main h1')).toHaveText('Attiva la tua carta');
    await page.locator('#card_number').fill('2000 0000 0000 8');
    await page.locator('#proof').fill('1961-03-04');
    await page.locator('#claim-password').fill('nuova password sicura');
    await page.locator('#claim-password-confirm').fill('nuova password sicura');
    await page.locator('main form button[type="submit"]').click();
    await expect(page.getByTestId('claim-error')).toHaveText('I dati non corrispondono a nessuna carta da attivare.');
  });

  test('a birth date alone no longer activates a card', async ({ page }, info) => {
    test.skip(info.project.name !== 'desktop', 'the card is claimed by the next test of this project');
    const card = process.env.E2E_CLAIM_CARD ?? '';
    await page.goto('/claim');
    await page.locator('#card_number').fill(card);
    await page.locator('#proof').fill('1961-03-04');
    await page.locator('#claim-password').fill('nuova password sicura');
    await page.locator('#claim-password-confirm').fill('nuova password sicura');
    await page.locator('main form button[type="submit"]').click();
    await expect(page.getByTestId('claim-error')).toHaveText('I dati non corrispondono a nessuna carta da attivare.');
  });

  test('an imported card is claimed with its birth date and phone digits and shows on the card page', async ({ page }, info) => {
    test.skip(info.project.name !== 'desktop', 'a card can be claimed once: one project claims it');
    const card = process.env.E2E_CLAIM_CARD ?? '';
    expect(card).toMatch(/^\d{13}$/);
    await page.goto('/claim');
    await page.locator('#card_number').fill(card);
    await page.locator('#proof').fill('1961-03-04');
    await page.locator('#phone_last4').fill('4003');
    await page.locator('#claim-password').fill('nuova password sicura');
    await page.locator('#claim-password-confirm').fill('nuova password sicura');
    await page.locator('main form button[type="submit"]').click();
    await expect(page).toHaveURL(/\/me\/card$/);
    const cardPage = new CardPage(page);
    await expect(cardPage.number).toHaveText(card);
    await expect(cardPage.holder).toHaveText('Rosa Verdi');
    await cardPage.expectBarcode(card);
  });
});
