import { cp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { expect, screenshot, test } from './harness';
import { CASE, createCase, fillCase, setUpSupervisor, signIn, signOut, SUPERVISOR } from './steps';

test('a supervisor sets up the workstation, creates, closes and reopens a case, and verifies its audit record', async ({ page, loupe }) => {
  await expect(page.getByRole('heading', { name: 'Set up this workstation' })).toBeVisible();
  await screenshot(page, 'setup');
  await setUpSupervisor(page);
  const banner = page.getByRole('banner');
  await expect(banner).toContainText(`${SUPERVISOR.displayName} (${SUPERVISOR.username})`);
  await expect(banner).toContainText('Supervisor');
  await expect(banner).toContainText('No case open');

  await signOut(page);
  await signIn(page, SUPERVISOR.username, 'not my password at all');
  await expect(page.getByRole('alert')).toHaveText('User name or password is not right.');
  await screenshot(page, 'sign-in');
  await signIn(page, SUPERVISOR.username, SUPERVISOR.password);
  await expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible();
  await expect(page.getByText('No cases on this workstation yet.')).toBeVisible();

  // Creating: an empty form is refused field by field, before anything is sent.
  await page.getByRole('link', { name: 'New case' }).click();
  await expect(page.getByRole('heading', { name: 'New case' })).toBeVisible();
  await expect(page.getByText('A forgotten passphrase cannot be recovered.')).toBeVisible();
  await page.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByLabel('Case reference')).toBeFocused();
  await expect(page.getByLabel('Case reference')).toHaveAccessibleDescription(/Case reference is required/);
  await expect(page.getByLabel('Title')).toHaveAttribute('aria-invalid', 'true');
  await fillCase(page, CASE);
  await page.getByLabel('Confirm passphrase').fill(`${CASE.passphrase} typo`);
  await page.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByLabel('Confirm passphrase')).toHaveAccessibleDescription('The two passphrases are not the same');
  await page.getByLabel('Confirm passphrase').fill(CASE.passphrase);
  await screenshot(page, 'create-case');
  await page.getByRole('button', { name: 'Create case' }).click();

  await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
  await expect(banner.getByRole('link', { name: `Open case ${CASE.reference}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Authority' })).toContainText(CASE.legalBasis);
  await expect(page.getByRole('region', { name: 'Authority' })).toContainText('2033-01-01');
  await expect(page.getByRole('region', { name: 'Members' }).getByRole('rowheader', { name: SUPERVISOR.username })).toBeVisible();
  // The case records the pack it is made with, and its files' hashes, at creation.
  const pack = page.getByRole('region', { name: 'Model pack' });
  await expect(pack).toContainText(/(yunet|default) \d+\.\d+\.\d+ finds, aligns and encodes this case's faces/);
  await expect(pack).toContainText(`Recorded when the case was created`);
  await expect(pack).toContainText(/Embedder.*SHA-256 [0-9a-f]{16}/);
  await screenshot(page, 'case-home');

  await page.getByRole('button', { name: 'Close case' }).click();
  await expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible();
  await expect(banner).toContainText('No case open');
  const row = page.getByRole('row', { name: new RegExp(CASE.reference) });
  // A closed case's title is case content, kept only in the encrypted case.
  await expect(row).not.toContainText(CASE.title);
  await expect(row).toContainText('Member');
  await screenshot(page, 'case-list');

  // A wrong passphrase is said beside the field, and the case stays closed.
  await row.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  const dialog = page.getByRole('dialog', { name: `Open case ${CASE.reference}` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Your passphrase for this case').fill('not the passphrase');
  await dialog.getByRole('button', { name: 'Open case' }).click();
  const field = dialog.getByLabel('Your passphrase for this case');
  await expect(field).toHaveAccessibleDescription(/That passphrase does not open this case/);
  await expect(field).toBeFocused();
  await expect(dialog.getByText('That passphrase does not open this case. Check it and try again; nothing was changed.')).toBeVisible();
  await screenshot(page, 'open-dialog-error');
  expect(await loupe.ws.call('session.status', {}, 'harness')).toMatchObject({ ok: true, value: { openCase: null } });
  await expect(banner).toContainText('No case open');

  await field.fill(CASE.passphrase);
  await dialog.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
  await expect(dialog).toBeHidden();

  // The case chain holds every step; verifying it says intact, in place.
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit record' })).toBeVisible();
  await expect(page.getByRole('button', { name: `Case ${CASE.reference}` })).toHaveAttribute('aria-pressed', 'true');
  const records = page.getByRole('table', { name: 'Case audit record, newest first' });
  for (const action of ['cases.create', 'cases.close', 'cases.open']) {
    await expect(records.getByRole('row').filter({ hasText: action }).filter({ hasText: 'ok' }).first()).toBeVisible();
  }
  await page.getByRole('button', { name: 'Verify chain' }).click();
  const verdict = page.getByRole('status').filter({ hasText: 'Chain intact' });
  await expect(verdict).toContainText(/Chain intact: \d+ records verified/);
  await expect(verdict).toContainText(/[0-9a-f]{64}/);
  await screenshot(page, 'audit-verified');

  // The refused opening sits in the workstation chain, since no case was open then.
  await page.getByRole('button', { name: 'Workstation' }).click();
  const wsRecords = page.getByRole('table', { name: 'Workstation audit record, newest first' });
  await expect(wsRecords.getByRole('row').filter({ hasText: 'cases.open' }).filter({ hasText: 'refused' })).toHaveCount(1);
  await expect(wsRecords.getByRole('row').filter({ hasText: 'session.signIn' }).filter({ hasText: 'refused' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Chain intact' })).toBeVisible();

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^loupe-audit-workstation-\d{4}-\d{2}-\d{2}\.jsonl$/);
  const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string });
  expect(lines.some((l) => l.action === 'session.createFirstSupervisor' && l.outcome === 'ok')).toBe(true);
  expect(lines.some((l) => l.action === 'cases.open' && l.outcome === 'refused')).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: /Exported \d+ records to loupe-audit-workstation/ })).toBeVisible();
});

test('a supervisor accepts a case restored from an older copy, with a reason, where the broken chain is shown', async ({ page, loupe }) => {
  await setUpSupervisor(page);
  await createCase(page);
  const openCase = async () => {
    await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
    await page.getByLabel('Your passphrase for this case').fill(CASE.passphrase);
    await page.getByRole('button', { name: 'Open case', exact: true }).click();
    await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
  };
  const closeCase = async () => {
    await page.getByRole('button', { name: 'Close case' }).click();
    await expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible();
    // The list is read once the session says no case is open; touch the folder only after that.
    await expect(page.getByRole('button', { name: `Open case ${CASE.reference}` })).toBeVisible();
  };
  await closeCase();
  // The backup: the whole case folder, copied while the case is closed.
  const [caseId = ''] = await readdir(path.join(loupe.home, 'cases'));
  const folder = path.join(loupe.home, 'cases', caseId);
  await cp(folder, `${folder}.backup`, { recursive: true });
  await openCase();
  await closeCase();
  await rm(folder, { recursive: true });
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  await page.getByLabel('Your passphrase for this case').fill(CASE.passphrase);
  await page.getByRole('button', { name: 'Open case', exact: true }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('restore it from its backup');
  await page.keyboard.press('Escape');
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(page.getByRole('row', { name: new RegExp(CASE.reference) })).toContainText('Folder missing');
  await cp(`${folder}.backup`, folder, { recursive: true });
  await page.getByRole('button', { name: `Check case ${CASE.reference} again` }).click();

  await openCase();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('button', { name: 'Verify chain' }).click();
  const broken = page.getByRole('alert').filter({ hasText: 'Chain broken' });
  await expect(broken).toContainText('restored from an older copy');
  await broken.getByRole('button', { name: 'Accept restored copy…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accept restored copy' });
  await dialog.getByRole('button', { name: 'Accept restored copy' }).click();
  await expect(dialog.getByLabel('Reason')).toHaveAccessibleDescription(/Say why the restored copy is accepted/);
  await dialog.getByLabel('Reason').fill('Disk failure; case folder restored from the nightly backup');
  await dialog.getByRole('button', { name: 'Accept restored copy' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'accepted' })).toContainText(/[1-9]\d* records lost/);
  await expect(page.getByRole('table', { name: /Case audit record/ }).getByRole('row').filter({ hasText: 'cases.acceptRestored' })).toHaveCount(1);
  await screenshot(page, 'audit-restore-accepted');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Chain intact' })).toBeVisible();
});
