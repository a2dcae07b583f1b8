import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, test } from './fixtures';
import { MePage } from './pages/me.page';
import { SignupPage, uniqueShopper } from './pages/signup.page';

const bin = process.env.IMAGROSS_BIN ?? path.resolve(__dirname, '../../target/debug/imagross');

test.describe('live receipts', () => {
  test("a till's receipt is on the shopper's /me at the next page load", async ({ page, request }, info) => {
    const signup = new SignupPage(page);
    await signup.open();
    await signup.fill(uniqueShopper(`live-${info.project.name}`));
    await signup.submit.click();
    const card = await signup.expectCardIssued();

    const me = new MePage(page);
    await page.goto('/me');
    await expect(me.points).toHaveText('0');

    // A key for a store of its own, made with the real CLI against the server's data.
    const store = `LIVE${info.project.name.replace(/[^A-Za-z0-9]/g, '')}${Date.now() % 1_000_000}`;
    const key = execFileSync(bin, ['store-key', 'create', '--store', store], { env: { ...process.env, RUST_LOG: 'warn' } }).toString().trim();
    const today = new Date().toISOString().slice(0, 10);
    const sent = await request.post('/api/v1/receipts', {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        store_id: store,
        issued_at: `${today}T09:30:00`,
        till: '2',
        number: '77',
        card_number: card,
        net_cents: 2_590,
        lines: [
          { line_no: 1, ean: '8007777777771', description: 'Mele Golden', quantity_milli: 1500, net_cents: 390, department_id: 'ORT', department_name: 'Ortofrutta' },
          { line_no: 2, ean: '8007777777772', description: 'Parmigiano', quantity_milli: 1000, discount_cents: 100, net_cents: 2_200, promotion_id: 'P-LIVE' },
        ],
      },
    });
    expect(sent.status()).toBe(201);
    // 25 points for 25,90 + 2 for the line on promotion.
    expect((await sent.json()).points).toBe(27);

    // No waiting, no retry: the very next page load shows it.
    await page.goto('/me');
    await expect(me.points).toHaveText('27');
    await expect(me.badges.locator('[data-badge="first_trip"]')).toHaveAttribute('data-earned', 'true');
    await expect(me.receipts.locator('li')).toHaveCount(1);
    await me.receipts.locator('li a').first().click();
    await expect(page).toHaveURL(new RegExp(`/me/receipts/${store}-\\d{8}-2-77$`));
    await expect(page.getByTestId('receipt-total')).toHaveText('€ 25,90');
    await expect(page.getByTestId('receipt-lines')).toContainText('Parmigiano');
  });
});
