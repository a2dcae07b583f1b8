import { expect, test } from '@playwright/test';

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
});
