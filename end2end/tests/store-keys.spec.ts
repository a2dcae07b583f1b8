import { expect, test } from './fixtures';
import { SUPER_ADMIN } from '../global-setup';
import { LoginPage } from './pages/login.page';
import { StoreKeysPage } from './pages/store-keys.page';

/** A receipt of `store` for today, without a card. */
function receipt(store: string, number: string) {
  const today = new Date().toISOString().slice(0, 10);
  return {
    store_id: store,
    issued_at: `${today}T09:15:00`,
    till: '1',
    number,
    net_cents: 350,
    lines: [{ line_no: 1, ean: '8001234567890', quantity_milli: 1000, net_cents: 350 }],
  };
}

test.describe('store API keys', () => {
  test('an admin creates a key, a till uses it, the admin revokes it', async ({ page, request }, info) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');

    const keys = new StoreKeysPage(page);
    await keys.open();
    await expect(keys.heading).toHaveText('Chiavi API dei negozi');
    const store = `E2E${info.project.name.replace(/[^A-Za-z0-9]/g, '')}${Date.now() % 1_000_000}`;
    const key = await keys.create(store, 'cassa 1');
    await expect(keys.row(key)).toContainText(store);
    await expect(keys.row(key).getByTestId('store-key-status')).toHaveText('Attivo');

    const auth = { Authorization: `Bearer ${key}` };
    const sent = await request.post('/api/v1/receipts', { headers: auth, data: receipt(store, '1') });
    expect(sent.status()).toBe(201);
    const ack = await sent.json();
    expect(ack.id).toMatch(new RegExp(`^${store}-\\d{8}-1-1$`));
    const again = await request.post('/api/v1/receipts', { headers: auth, data: receipt(store, '1') });
    expect(again.status()).toBe(200);
    expect(await again.json()).toEqual(ack);

    await keys.revoke(key);
    await expect(keys.row(key).getByTestId('store-key-status')).toContainText('Revocata');
    const refused = await request.post('/api/v1/receipts', { headers: auth, data: receipt(store, '2') });
    expect(refused.status()).toBe(401);
    expect(refused.headers()['content-type']).toBe('application/problem+json');
    expect((await refused.json()).title).toBe('Missing or invalid API key');
  });
});
