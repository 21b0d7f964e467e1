import { expect, screenshot, test } from './harness';
import { CASE, caseScreen, createCase, setUpSupervisor } from './steps';

const DAY = 86_400;
const inDays = (days: number) => new Date(Date.now() + days * DAY * 1000).toISOString().slice(0, 10);

test('a supervisor holds a case, lifts the hold once its date has passed, and purges it from the retention queue', async ({ page, loupe }) => {
  await setUpSupervisor(page);
  const c = { ...CASE, reference: 'OP-RET/001', retentionDate: inDays(10) };
  await createCase(page, c);

  const panel = page.getByRole('region', { name: 'Retention' });
  await expect(panel).toContainText(c.retentionDate);
  await panel.getByRole('button', { name: 'Place legal hold…' }).click();
  const hold = page.getByRole('dialog', { name: 'Place a legal hold' });
  await hold.getByLabel('Reason').fill('Civil claim notified by the force solicitor');
  await hold.getByRole('button', { name: 'Place the hold' }).click();
  await expect(panel).toContainText('never purged while it lasts');
  await screenshot(page, 'retention-case-held');
  await page.getByRole('button', { name: 'Close case' }).click();

  // Twenty days on, the date has passed but the hold keeps the case.
  loupe.later(20 * DAY);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Retention' }).click();
  const row = page.getByRole('row', { name: new RegExp(c.reference) });
  await expect(row).toContainText('Legal hold');
  await expect(row.getByRole('button', { name: `Purge ${c.reference}` })).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
  await page.getByRole('button', { name: `Open case ${c.reference}` }).click();
  const open = page.getByRole('dialog', { name: `Open case ${c.reference}` });
  await open.getByLabel('Your passphrase for this case').fill(c.passphrase);
  await open.getByRole('button', { name: 'Open case' }).click();
  await caseScreen(page, 'Overview');
  await panel.getByRole('button', { name: 'Lift legal hold…' }).click();
  const lift = page.getByRole('dialog', { name: 'Lift the legal hold' });
  await lift.getByLabel('Reason').fill('Claim settled; the hold is no longer needed');
  await lift.getByRole('button', { name: 'Lift the hold' }).click();
  await expect(panel).toContainText('None');
  await page.getByRole('button', { name: 'Close case' }).click();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Retention' }).click();
  await expect(row).toContainText('Overdue');
  await expect(row).toContainText('10 days past');
  await screenshot(page, 'retention-queue');

  await row.getByRole('button', { name: `Purge ${c.reference}` }).click();
  const purge = page.getByRole('dialog', { name: `Purge case ${c.reference}` });
  await expect(purge).toContainText('cannot be undone');
  await purge.getByLabel(/Type the case reference/).fill('OP-RET/002');
  await purge.getByRole('button', { name: 'Purge the case for good' }).click();
  await expect(purge.getByLabel(/Type the case reference/)).toHaveAccessibleDescription(/Type the case reference OP-RET\/001 exactly/);
  await purge.getByLabel(/Type the case reference/).fill(c.reference);
  await screenshot(page, 'retention-purge-confirm');
  await purge.getByRole('button', { name: 'Purge the case for good' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'was purged' })).toContainText(`Case ${c.reference} cannot be opened on this workstation`);
  await expect(row).toContainText('Purged');
  await screenshot(page, 'retention-purged');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
  await expect(page.getByText('No cases on this workstation yet.')).toBeVisible();
});
