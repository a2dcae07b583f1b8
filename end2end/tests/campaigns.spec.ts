import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, test } from './fixtures';
import { SUPER_ADMIN } from '../global-setup';
import { CampaignsPage } from './pages/campaigns.page';
import { LoginPage } from './pages/login.page';
import { MePage } from './pages/me.page';

const bin = process.env.IMAGROSS_BIN ?? path.resolve(__dirname, '../../target/debug/imagross');

// The global setup imports, per project, a cardholder with both consents enrolled at store
// CMP0 / CMP1 with one receipt 10 days ago.
test.describe('campaigns', () => {
  test('an admin launches a campaign, the shopper activates it, a till receipt earns the bonus, the report counts it', async ({ page, request }, info) => {
    const i = info.project.name === 'mobile' ? 0 : 1;
    const card = (process.env.E2E_CAMPAIGN_CARDS ?? '').split(',')[i];
    expect(card).toMatch(/^\d{13}$/);
    const name = `Offerta e2e ${info.project.name} ${Date.now() % 1_000_000}`;
    const today = new Date().toISOString().slice(0, 10);
    const end = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

    // The admin aims a campaign at lapsed shoppers enrolled at the project's store: one, who
    // gave both consents; no holdout, so the one shopper is treated.
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');
    const campaigns = new CampaignsPage(page);
    await campaigns.open();
    await campaigns.previewAudience({ range: 'all', enrolment_store: `CMP${i}`, lapsed_days: '3', holdout: '0' }, '1');
    const id = await campaigns.launchBasket(name, today, end, '10', '150', '1000');
    await expect(campaigns.row(id)).toContainText(name);
    await expect(campaigns.row(id).getByTestId('campaign-status')).toHaveText('In corso');
    await login.logoutButton.click();

    // The shopper sees one offer waiting on /me and activates it on /me/offers.
    const me = new MePage(page);
    await me.claim(card, '1980-02-02', 'una password per le offerte', `${i}200`);
    await page.goto('/me');
    await expect(page.getByTestId('me-offers-waiting')).toContainText('1 offerte da attivare');
    await page.goto('/me/offers');
    const offer = page.getByTestId('personal-offer').filter({ hasText: name });
    await expect(offer).toContainText('150 punti in più con una spesa di almeno € 10,00');
    await offer.getByTestId('offer-activate').click();
    await expect(offer.getByTestId('offer-active')).toContainText('Attivata il');

    // A till reads the activated offer and sends a qualifying receipt.
    const store = `CMP${i}`;
    const key = execFileSync(bin, ['store-key', 'create', '--store', store], { env: { ...process.env, RUST_LOG: 'warn' } })
      .toString()
      .trim();
    const offers = await request.get(`/api/v1/cards/${card}/offers`, { headers: { Authorization: `Bearer ${key}` } });
    expect(offers.status()).toBe(200);
    expect((await offers.json()).map((o: { campaign_id: string }) => o.campaign_id)).toContain(id);
    const sent = await request.post('/api/v1/receipts', {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        store_id: store, issued_at: `${today}T00:10:00`, till: '1', number: `${Date.now() % 1_000_000}`,
        card_number: card, net_cents: 2_000,
        lines: [{ line_no: 1, ean: '8001234567890', quantity_milli: 1000, net_cents: 2_000 }],
      },
    });
    expect(sent.status()).toBe(201);

    // The movements page shows the bonus with the campaign's name.
    await page.goto('/me/points');
    const bonus = page.getByTestId('movements').locator('tr[data-kind="offer"]');
    await expect(bonus).toContainText('Offerta personale');
    await expect(bonus).toContainText(name);
    await expect(bonus).toContainText('150');
    await login.logoutButton.click();

    // The campaign's list and report count the activation and the points.
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');
    await campaigns.open();
    await expect(campaigns.row(id).getByTestId('campaign-activated')).toHaveText('1');
    await expect(campaigns.row(id).getByTestId('campaign-granted')).toContainText('150 pt');
    await campaigns.row(id).getByRole('link').click();
    await expect(page.getByTestId('report-points')).toHaveText('150');
    await expect(page.getByTestId('report-treated')).toHaveText('1');
    await expect(page.getByTestId('report-activation')).toHaveText('100,0 %');
    await expect(page.getByTestId('report-verdict')).toContainText('Troppo pochi membri');
  });
});
