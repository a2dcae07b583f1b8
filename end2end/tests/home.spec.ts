import { expect, test } from './fixtures';
import { HomePage } from './pages/home.page';
import { expectChartPainted } from './charts';

test.describe('home page', () => {
  test('is server-rendered in Italian before any script runs', async ({ request }) => {
    const res = await request.get('/');
    expect(res.status()).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="it"');
    expect(html).toContain('La tua spesa, premiata');
    expect(html).toContain('data-testid="yearly-points">2.600');
  });

  test('runs under a strict Content-Security-Policy without a single violation', async ({ page }) => {
    // Violations are collected from the first byte of the page, before any script of ours runs.
    await page.addInitScript(() => {
      (window as unknown as { cspViolations: string[] }).cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { cspViolations: string[] }).cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const home = new HomePage(page);
    const response = await page.goto('/');
    const csp = (await response?.headerValue('content-security-policy')) ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+' 'wasm-unsafe-eval'/);
    expect(csp).toContain("frame-ancestors 'none'");
    await home.waitForHydration();
    // The chart's axis labels come from formatter callbacks: under this policy they must be
    // real functions, not JavaScript source compiled at run time.
    await expectChartPainted(home.levelsChart);
    await home.estimate(60);
    await expect(home.yearlyPoints).toHaveText('3.120');
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  });

  test('hydrates: the estimator reacts and the levels chart is painted', async ({ page }) => {
    const home = new HomePage(page);
    await home.open();
    await expect(home.heading).toHaveText('La tua spesa, premiata');
    await home.waitForHydration();
    await expectChartPainted(home.levelsChart);

    // 50 € a week → 2,600 points a year (Oro); 60 € → 3,120 (Platino); 5 € → 260 (Bronzo).
    await expect(home.yearlyPoints).toHaveText('2.600');
    await expect(home.levelReached).toHaveText('Oro');
    await home.estimate(60);
    await expect(home.yearlyPoints).toHaveText('3.120');
    await expect(home.levelReached).toHaveText('Platino');
    await home.estimate(5);
    await expect(home.yearlyPoints).toHaveText('260');
    await expect(home.levelReached).toHaveText('Bronzo');
  });

  test('switches to English and remembers it across reloads', async ({ page, context }) => {
    await context.clearCookies();
    const home = new HomePage(page);
    await home.open();
    await home.waitForHydration();
    await home.switchLanguage('en');
    await expect(home.heading).toHaveText('Your shopping, rewarded');
    await expect(home.levelReached).toHaveText('Gold');

    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(home.heading).toHaveText('Your shopping, rewarded');
    await home.waitForHydration();
    await expectChartPainted(home.levelsChart);

    await home.switchLanguage('it');
    await expect(home.heading).toHaveText('La tua spesa, premiata');
  });

  test('reserved routes answer with their page and unknown ones with 404', async ({ page, request }) => {
    for (const [path, title] of [
      ['/login', 'Accedi'],
      ['/claim', 'Attiva la tua carta'],
    ]) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(200);
      await expect(page.locator('main h1')).toHaveText(title);
    }
    const card = await page.goto('/me/card');
    expect(card?.status(), 'the card page needs a session').toBe(401);
    await expect(page.locator('main')).toContainText('Accedi per vedere questa pagina.');
    const missing = await request.get('/no-such-page');
    expect(missing.status()).toBe(404);
  });
});
