// Screenshots of pages for a person to look at (not a test): against a running server on
// 127.0.0.1:3000, as a visitor or `email:password`, in `it` or `en`, at a width, one or more
// paths; prints console errors and horizontal overflow; writes /tmp/shots/*.png (PAGES=n
// viewport-high shots per page, default 2).
// Usage: (cd end2end && node shot.mjs 'admin@example.it:password' it 360 /admin /admin/customers)
import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3000';
const [,, who, lang, width, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
const ctx = await browser.newContext({ viewport: { width: Number(width), height: 900 }, deviceScaleFactor: 1 });
await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
const page = await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`[console ${m.type()}] ${page.url()}: ${m.text()}`); });
page.on('pageerror', (e) => console.log(`[pageerror] ${page.url()}: ${e.message}`));
if (who !== 'visitor') {
  const [id, pw] = who.split(':');
  await page.goto(base + '/login');
  await page.fill('#identifier', id); await page.fill('#password', pw);
  await page.click('main form button[type="submit"]');
  await page.waitForTimeout(1500);
}
for (const p of paths) {
  await page.goto(base + p); await page.waitForLoadState('networkidle'); await page.waitForTimeout(800);
  const name = `/tmp/shots/${who.split(':')[0].replace(/[^a-z0-9]/gi,'_')}-${lang}-${width}-${p.replace(/[^a-z0-9]/gi,'_')}.png`;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log('overflow', overflow);
  for (let y = 0, k = 0; y < height && k < Number(process.env.PAGES ?? 2); y += 900, k++) {
    await page.evaluate((y) => window.scrollTo(0, y), y); await page.waitForTimeout(200);
    const n = name.replace('.png', `-${k}.png`);
    await page.screenshot({ path: n });
    console.log('shot', n);
  }
}
await browser.close();
