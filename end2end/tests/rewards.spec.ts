import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, test } from './fixtures';
import { SUPER_ADMIN } from '../global-setup';
import { LoginPage } from './pages/login.page';
import { MePage } from './pages/me.page';
import { RewardsPage } from './pages/rewards.page';

const bin = process.env.IMAGROSS_BIN ?? path.resolve(__dirname, '../../target/debug/imagross');

// The global setup imports, for each project, a cardholder without receipts and with the mobile
// number 333 765<i>100; the admin gives them 100 points.
test.describe('rewards', () => {
  test('a shopper redeems a voucher, shows it at the till, and sees it used and in the movements', async ({ page, request }, info) => {
    const i = info.project.name === 'mobile' ? 0 : 1;
    const card = (process.env.E2E_REWARD_CARDS ?? '').split(',')[i];
    expect(card).toMatch(/^\d{13}$/);
    const title = `Buono e2e ${info.project.name} ${Date.now() % 1_000_000}`;

    // The admin puts a 60-point, 5 € voucher in the catalogue.
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');
    const rewards = new RewardsPage(page);
    await rewards.createVoucherReward(title, 60, '5,00');
    await rewards.adjustPoints(card, 100, 'benvenuto nel programma premi');
    await login.logoutButton.click();

    // The shopper activates the plastic card and spends 60 of the 100 points.
    const me = new MePage(page);
    await me.claim(card, '1980-02-02', 'una password per i premi', `${i}100`);
    await rewards.openWithBalance('100');
    await expect(rewards.offer(title)).toContainText('Buono spesa da € 5,00');
    const code = await rewards.redeem(title);
    await expect(rewards.balance).toHaveText('40');
    await expect(rewards.voucher(code).getByTestId('voucher-status')).toHaveText('da usare');

    // The card page shows the voucher next to the card: one screen at the till.
    await page.goto('/me/card');
    const atTill = page.getByTestId('card-vouchers').locator(`[data-code="${code}"]`);
    await expect(atTill.locator('.barcode svg')).toBeVisible();
    await expect(atTill.getByTestId('voucher-code')).toHaveText(code);

    // A till takes it with a receipt (of a store of its own, without a card: the dashboard's
    // figures stay those of the fixture files).
    const store = `RWD${i}${Date.now() % 1_000_000}`;
    const key = execFileSync(bin, ['store-key', 'create', '--store', store], { env: { ...process.env, RUST_LOG: 'warn' } })
      .toString()
      .trim();
    const today = new Date().toISOString().slice(0, 10);
    const sent = await request.post('/api/v1/receipts', {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        store_id: store, issued_at: `${today}T11:00:00`, till: '4', number: '1',
        net_cents: 1_500,
        lines: [{ line_no: 1, ean: '8001234567890', quantity_milli: 1000, net_cents: 1_500 }],
        voucher_codes: [code],
      },
    });
    expect(sent.status()).toBe(201);

    // The next page load shows it used; the movements show the redemption and the purchases.
    await page.goto('/me/rewards');
    await expect(rewards.voucher(code).getByTestId('voucher-status')).toHaveText('usato');
    await page.goto('/me/points');
    await expect(page.getByTestId('movements').locator('tr[data-kind="redeem"]')).toContainText('Premio riscattato');
    await expect(page.getByTestId('movements').locator('tr[data-kind="redeem"]')).toContainText(code);
    await expect(page.getByTestId('movements').locator('tr[data-kind="adjust"]')).toContainText('Rettifica');
    await expect(page.getByTestId('movements-balance')).toHaveText('40');

    // The dashboard's points programme counts the voucher under its reward, used.
    await login.logoutButton.click();
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');
    // (A custom period up to today: the presets end on the last day with receipts, which the
    // projection moves to today only once it folds the live receipts in.)
    const today2 = new Date().toISOString().slice(0, 10);
    await page.goto(`/admin?range=custom&from=2020-01-01&to=${today2}`);
    const row = page.getByTestId('table-reward-vouchers').locator('tr', { hasText: title });
    // Issued, used, donated, active, expired, cancelled: at once, no reload needed.
    await expect(row.locator('td.num').nth(0)).toHaveText('1');
    await expect(row.locator('td.num').nth(1)).toHaveText('1');
    await expect(page.getByTestId('w-points')).toBeVisible();
  });
});
