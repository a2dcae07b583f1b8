import { expect, test } from './fixtures';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUPER_ADMIN } from '../global-setup';
import { freshCardNumber } from '../ean';
import { LoginPage } from './pages/login.page';

test.describe('admin import page', () => {
  test('an admin uploads a file, sees the summary and downloads the rejected rows', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(SUPER_ADMIN.email, SUPER_ADMIN.password);
    await login.expectLoggedIn('Admin');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imagross-upload-'));
    const name = `fidelity-${Date.now()}.csv`;
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      `NumeroCarta;Nome;Cognome\n${freshCardNumber()};Carla;Neri\n${freshCardNumber()};Dino;Bassi\n1234;Rotto;Male\n`,
    );

    await page.goto('/admin/import');
    await expect(page.locator('main h1')).toHaveText('Importazione dati');
    await page.locator('#import-kind').selectOption('fidelity');
    await page.locator('#import-file').setInputFiles(file);
    await page.locator('main form.upload-form button[type="submit"]').click();
    await expect(page).toHaveURL(/\/admin\/import\?job=/);

    const job = page.getByTestId('import-job');
    await expect(job).toHaveAttribute('data-done', 'true');
    await expect(job).toContainText('Importazione completata');
    await expect(page.getByTestId('job-rows')).toHaveText('3');
    await expect(page.getByTestId('job-inserted')).toHaveText('2');
    await expect(page.getByTestId('job-rejected')).toHaveText('1');
    await expect(page.getByTestId('batches-table')).toContainText(name);

    const download = page.waitForEvent('download');
    await page.getByTestId('error-report').click();
    const report = fs.readFileSync(await (await download).path(), 'utf8');
    expect(report.split('\n')[0]).toBe('\ufeffriga;colonna;valore;motivo');
    expect(report).toContain('4;NumeroCarta;1234;expected a 13-digit EAN card number');
  });
});
