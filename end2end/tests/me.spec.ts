import { expect, test } from './fixtures';
import { expectChartPainted } from './charts';
import { MePage } from './pages/me.page';

// The global setup imports, for each project, a cardholder with three receipts of 30,00 in the
// last weeks (08:15, Ortofrutta 10,00 + Latticini 20,00 on promotion with 1,00 off).
test.describe('personal area', () => {
  test('a shopper claims an imported card and sees points, level, badges, charts and receipts', async ({ page }, info) => {
    const cards = (process.env.E2E_HISTORY_CARDS ?? '').split(',');
    const card = cards[info.project.name === 'mobile' ? 0 : 1];
    expect(card).toMatch(/^\d{13}$/);
    const me = new MePage(page);
    // A birth date proves the card together with the last four digits of the phone on record.
    await me.claim(card, '1980-02-02', 'una password per la storia', info.project.name === 'mobile' ? '4009' : '4019');

    // 3 × (30 points + 2 bonus for the promotion line) = 96.
    await me.openWithPoints('96');
    await expect(me.level).toHaveText('Bronzo');
    const year = new Date().getUTCFullYear();
    const thisYear = [3, 10, 17].filter((d) => new Date(Date.now() - d * 86_400_000).getUTCFullYear() === year).length;
    await expect(page.getByTestId('me-saved')).toHaveText(`€ ${thisYear},00`);
    await expect(me.badges.locator('[data-badge="first_trip"]')).toHaveAttribute('data-earned', 'true');
    await expect(me.badges.locator('[data-badge="fruit_veg_10"]')).toContainText('3 / 10');
    await expect(me.badges.locator('[data-badge="early_5"]')).toContainText('3 / 5');
    await expect(me.challenges.locator('li')).toHaveCount(3);
    await expect(page.locator('#chart-me-monthly')).toHaveAttribute('data-drawn', 'true');
    await expectChartPainted(page.locator('#chart-me-monthly'));
    await expect(page.locator('#chart-me-departments')).toHaveAttribute('data-drawn', 'true');
    await expect(me.receipts.locator('li')).toHaveCount(3);

    await page.getByRole('link', { name: 'Tutti gli scontrini' }).click();
    await expect(page).toHaveURL(/\/me\/receipts$/);
    await expect(page.getByTestId('my-receipts-total')).toHaveText('3 scontrini');
    await me.receipts.locator('li a').first().click();
    await expect(page).toHaveURL(/\/me\/receipts\/S09-/);
    await expect(page.getByTestId('receipt-total')).toHaveText('€ 30,00');
    await expect(page.getByTestId('receipt-lines').locator('tbody tr')).toHaveCount(2);

    // Someone else's receipt id is simply not found.
    await page.goto('/me/receipts/S01-20250314-2-1001');
    await expect(page.getByTestId('not-found')).toBeVisible();
  });
});
