import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshCardNumber } from './ean';

/** The super admin every admin spec logs in as; created through the real CLI. */
export const SUPER_ADMIN = { email: 'capo.e2e@imagross.it', password: 'password del capo e2e' };

// Waits until the server says it is ready, so no spec races the start-up, then creates the
// super admin with `imagross admin create` against the same data directory as the server
// (IMAGROSS_DATA_DIR / DATABASE_URL are inherited from the test command).
export default async function globalSetup(): Promise<void> {
  const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
  const deadline = Date.now() + 120_000;
  let last = 'no answer';
  let ready = false;
  while (Date.now() < deadline && !ready) {
    try {
      const res = await fetch(`${base}/readyz`);
      ready = res.status === 200;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    if (!ready) await new Promise((r) => setTimeout(r, 250));
  }
  if (!ready) throw new Error(`server at ${base} not ready after 120 s: ${last}`);

  const bin = process.env.IMAGROSS_BIN ?? path.resolve(__dirname, '../target/debug/imagross');

  // A plastic card in the register, imported through the real CLI, for the claim spec.
  const card = freshCardNumber();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imagross-e2e-')), 'fidelity.csv');
  fs.writeFileSync(file, `NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy\n${card};Rosa;Verdi;;333 7654003;04/03/1961;S\n`);
  execFileSync(bin, ['import', '--kind', 'fidelity', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  process.env.E2E_CLAIM_CARD = card;
  // One cardholder with a purchase history per browser project, for the personal-area spec:
  // three receipts (30,00 each, one promotion line each) in the last weeks.
  const history: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imagross-e2e-history-'));
  let fidelity = 'NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy\n';
  let scontrini = 'PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n';
  let vendite = 'PuntoVendita;Data;Cassa;NumeroScontrino;Riga;EAN;Descrizione;Reparto;Qta;Sconto;Importo;Promo\n';
  const stamp = Date.now() % 1_000_000;
  for (const [i, project] of ['mobile', 'desktop'].entries()) {
    const holder = freshCardNumber();
    history.push(holder);
    fidelity += `${holder};Elena;Storia;storia.${project}.${stamp}@example.it;333 76540${i}9;1980-02-02;S\n`;
    for (const [k, daysAgo] of [3, 10, 17].entries()) {
      const d = new Date(Date.now() - daysAgo * 86_400_000);
      const day = `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
      const number = `${stamp}${i}${k}`;
      scontrini += `S09;${day};08:15;7;${number};${holder};1,00;30,00\n`;
      vendite += `S09;${day};7;${number};1;8001234567890;Mele Golden;Ortofrutta;1;0;10,00;\n`;
      vendite += `S09;${day};7;${number};2;8009876543210;Yogurt bianco;Latticini;2;1,00;20,00;P3X2\n`;
    }
  }
  for (const [name, text] of [['fidelity.csv', fidelity], ['scontrini.csv', scontrini], ['vendite.csv', vendite]]) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    execFileSync(bin, ['import', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  }
  process.env.E2E_HISTORY_CARDS = history.join(',');

  // One cardholder per project for the rewards spec, without receipts (its points come from an
  // admin's adjustment, so the dashboard's figures stay those of the fixture files).
  const rewardCards: string[] = [];
  let rf = 'NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy\n';
  for (const i of [0, 1]) {
    const holder = freshCardNumber();
    rewardCards.push(holder);
    rf += `${holder};Paola;Premi;;333 765${i}100;1980-02-02;S\n`;
  }
  const rfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imagross-e2e-rewards-')), 'fidelity.csv');
  fs.writeFileSync(rfile, rf);
  execFileSync(bin, ['import', rfile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  process.env.E2E_REWARD_CARDS = rewardCards.join(',');

  // One cardholder per project for the campaign spec: both consents, enrolled at a store of
  // their own (CMP0, CMP1) so a campaign can be aimed at them alone, one receipt 10 days ago.
  const campaignCards: string[] = [];
  let cf = 'NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy;ConsensoMarketing;ConsensoProfilazione;PuntoVendita\n';
  let cs = 'PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Totale\n';
  const tenDays = new Date(Date.now() - 10 * 86_400_000);
  const tenDaysAgo = `${String(tenDays.getUTCDate()).padStart(2, '0')}/${String(tenDays.getUTCMonth() + 1).padStart(2, '0')}/${tenDays.getUTCFullYear()}`;
  for (const i of [0, 1]) {
    const holder = freshCardNumber();
    campaignCards.push(holder);
    cf += `${holder};Carla;Campagna;;333 765${i}200;1980-02-02;S;S;S;CMP${i}\n`;
    cs += `S09;${tenDaysAgo};09:30;8;${stamp}${i}9;${holder};25,00\n`;
  }
  const cdir = fs.mkdtempSync(path.join(os.tmpdir(), 'imagross-e2e-campaigns-'));
  for (const [name, text] of [['fidelity.csv', cf], ['scontrini.csv', cs]]) {
    const file = path.join(cdir, name);
    fs.writeFileSync(file, text);
    execFileSync(bin, ['import', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  }
  process.env.E2E_CAMPAIGN_CARDS = campaignCards.join(',');

  // The fixture files (3 cardholders, 3 receipts, 4 sales lines) for the dashboard specs;
  // importing them again changes nothing.
  for (const name of ['fidelity.csv', 'scontrini.csv', 'vendite.csv']) {
    const fixture = path.resolve(__dirname, '../server/fixtures/import', name);
    execFileSync(bin, ['import', fixture], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  }
  try {
    execFileSync(bin, ['admin', 'create', '--email', SUPER_ADMIN.email, '--role', 'super_admin'], {
      input: `${SUPER_ADMIN.password}\n`,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: 'warn' },
    });
  } catch (e) {
    const err = String((e as { stderr?: Buffer }).stderr ?? e);
    if (!err.includes('taken')) throw new Error(`creating the e2e super admin failed: ${err}`);
  }
}
