import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, MODELS_DIR, ROOT, screenshot, test } from './harness';
import { CASE, setUpSupervisor } from './steps';
import type * as Main from './workstation';

const PACKAGE_PASSPHRASE = 'handed over separately, in person';
const MY_PASSPHRASE = 'my own passphrase for the copy';

/** A package made on another workstation (the same main bundle, its own home), as a sending unit would. */
async function packageFromElsewhere(dir: string): Promise<string> {
  const { createWorkstation } = (await import(pathToFileURL(path.join(ROOT, 'dist', 'e2e-workstation.js')).href)) as typeof Main;
  const home = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-sender-'));
  const ws = await createWorkstation({ home, modelsDir: MODELS_DIR });
  const must = async (channel: string, input: unknown) => {
    const r = await ws.call(channel, input, 'harness');
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.value;
  };
  try {
    await must('session.createFirstSupervisor', { username: 'sender', displayName: 'Sid Sender', password: 'correct horse battery' });
    const { passphrase, ...authority } = CASE;
    await must('cases.create', { ...authority, reference: 'OP-E2E/777', passphrase });
    const file = path.join(dir, 'OP-E2E-777.loupe');
    await must('cases.export', { out: file, passphrase: PACKAGE_PASSPHRASE });
    return file;
  } finally {
    await ws.close();
    await rm(home, { recursive: true, force: true });
  }
}

test('a supervisor imports a case package from another workstation, opens it, and exports it again as a disclosure package', async ({ page }) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-packages-'));
  try {
    const pkg = await packageFromElsewhere(dir);
    await setUpSupervisor(page);

    await page.getByRole('button', { name: 'Import case package…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a case package' });
    await dialog.getByLabel('Package file').fill(pkg);
    await dialog.getByLabel('Package passphrase').fill('not the package passphrase');
    await dialog.getByLabel('Your new passphrase for the case').fill(MY_PASSPHRASE);
    await dialog.getByLabel('Confirm passphrase').fill(MY_PASSPHRASE);
    await dialog.getByRole('button', { name: 'Import case' }).click();
    await expect(dialog.getByLabel('Package passphrase')).toHaveAccessibleDescription(/does not open this package/);
    await dialog.getByLabel('Package passphrase').fill(PACKAGE_PASSPHRASE);
    await dialog.getByRole('button', { name: 'Import case' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Imported case OP-E2E/777' })).toContainText('every entry matched its hash and the audit chain is intact');
    const row = page.getByRole('row', { name: /OP-E2E\/777/ });
    await expect(row).toContainText('sender');
    await expect(row).toContainText('Member');
    await screenshot(page, 'disclosure-imported');

    await row.getByRole('button', { name: 'Open case OP-E2E/777' }).click();
    const open = page.getByRole('dialog', { name: 'Open case OP-E2E/777' });
    await open.getByLabel('Your passphrase for this case').fill(MY_PASSPHRASE);
    await open.getByRole('button', { name: 'Open case' }).click();
    await expect(page.getByRole('heading', { name: `OP-E2E/777 · ${CASE.title}` })).toBeVisible();

    await page.getByRole('button', { name: 'Export disclosure package…' }).click();
    const exporting = page.getByRole('dialog', { name: 'Export OP-E2E/777 as a disclosure package' });
    const out = path.join(dir, 'again.loupe');
    await exporting.getByLabel('Package file').fill(out);
    await exporting.getByLabel('Package passphrase').fill(PACKAGE_PASSPHRASE);
    await exporting.getByLabel('Confirm passphrase').fill(PACKAGE_PASSPHRASE);
    // The package's report may attach validations of the case's pack: this workstation has none.
    await expect(exporting.getByRole('group', { name: 'Attach validation records' })).toContainText("No validation of this case's pack on this workstation.");
    await screenshot(page, 'disclosure-export-dialog');
    await exporting.getByRole('button', { name: 'Export package' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Wrote ${out}` })).toContainText(/SHA-256 [0-9a-f]{64}: the case to audit record \d+, its report and 0 of 0 originals/);
    await screenshot(page, 'disclosure-exported');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
