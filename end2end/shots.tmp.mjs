import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3000';
const [card, pwd] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  const ctx = await browser.newContext({ viewport, locale: 'it-IT' });
  const page = await ctx.newPage();
  await page.goto(base + '/signup');
  await page.screenshot({ path: `/tmp/shots/signup-${label}.png`, fullPage: true });
  await page.goto(base + '/login');
  await page.locator('#identifier').fill(card);
  await page.locator('#password').fill(pwd);
  await page.locator('main form button[type="submit"]').click();
  await page.waitForTimeout(1500);
  for (const p of ['me', 'me/offers', 'me/points', 'me/profile']) {
    await page.goto(`${base}/${p}`);
    await page.waitForTimeout(800);
    await page.screenshot({ path: `/tmp/shots/${p.replace('/', '-')}-${label}.png`, fullPage: true });
  }
  await ctx.close();
  const admin = await browser.newContext({ viewport, locale: 'it-IT' });
  const ap = await admin.newPage();
  await ap.goto(base + '/login');
  await ap.locator('#identifier').fill('capo.e2e@imagross.it');
  await ap.locator('#password').fill('password del capo e2e');
  await ap.locator('main form button[type="submit"]').click();
  await ap.waitForTimeout(1500);
  await ap.goto(base + '/admin/campaigns');
  await ap.waitForTimeout(1000);
  await ap.screenshot({ path: `/tmp/shots/admin-campaigns-${label}.png`, fullPage: true });
  await admin.close();
}
await browser.close();
