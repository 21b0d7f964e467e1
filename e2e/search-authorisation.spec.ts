import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test } from './harness';
import { addUser, CASE, caseScreen, createCase, evidenceFolder, importFinished, setUpSupervisor, signIn, signOut, startImport, SUPERVISOR } from './steps';

const ANN = { username: 'ann', displayName: 'Ann Analyst', role: 'analyst', password: 'ann password here' };
const PURPOSE = 'Is the man in the scene photograph on the suspects list?';

async function openCase(page: Page, user: { username: string; password: string }) {
  await signIn(page, user.username, user.password);
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  const dialog = page.getByRole('dialog', { name: `Open case ${CASE.reference}` });
  await dialog.getByLabel('Your passphrase for this case').fill(CASE.passphrase);
  await dialog.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
}

/** The search form with the scene photograph's face as probe and the suspects list as target. */
async function watchListSearch(page: Page) {
  await caseScreen(page, 'Evidence');
  await page.getByRole('list', { name: 'Exhibits' }).getByRole('link', { name: /scene\.jpg/ }).first().click();
  await page.getByRole('table', { name: 'Faces in this exhibit, best quality first' }).getByRole('row').nth(1).getByRole('button').click();
  await page.getByRole('link', { name: 'Search with this face' }).click();
  await expect(page.getByText(`Case authorised by ${CASE.authorisedBy}; legal basis: ${CASE.legalBasis}`)).toBeVisible();
  await page.getByLabel('Purpose').fill(PURPOSE);
  await page.getByLabel("This case's evidence").uncheck();
  await page.getByLabel(/^Watch list: Suspects/).check();
}

test.describe('search authorisation', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('an analyst asks to search a watch list, a supervisor approves it with a reason, and the search runs once under it', async ({ page }) => {
    test.setTimeout(180_000);
    const folder = await evidenceFolder({ 'scene.jpg': path.join(FACES_DIR, 'identities', 'Joe_Biden', 'biden2.jpg') });
    try {
      await setUpSupervisor(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      await addUser(page, ANN);
      await expect(page.getByRole('status').filter({ hasText: 'was added' })).toBeVisible();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await createCase(page);
      await page.getByRole('button', { name: 'Grant access…' }).click();
      const grant = page.getByRole('dialog', { name: `Grant access to ${CASE.reference}` });
      await grant.getByLabel('User').selectOption(ANN.username);
      await grant.getByLabel('Passphrase for the new member').fill(CASE.passphrase);
      await grant.getByLabel('Confirm passphrase').fill(CASE.passphrase);
      await grant.getByRole('button', { name: 'Grant access' }).click();
      await expect(grant).toBeHidden();

      const settings = page.getByRole('region', { name: 'Searches' });
      await settings.getByRole('button', { name: 'Require authorisation…' }).click();
      const require = page.getByRole('dialog', { name: 'Require authorisation of watch-list searches' });
      await require.getByLabel('Reason').fill('The suspects list holds custody images: DPIA condition 4');
      await require.getByRole('button', { name: 'Require authorisation' }).click();
      await expect(settings).toContainText("need a supervisor's authorisation before they run");

      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir], { exhibitRef: 'SC/1' });
      await expect(await importFinished(page)).toContainText('1 of 1');
      await caseScreen(page, 'Watch lists');
      await page.getByLabel('Name').fill('Suspects');
      await page.getByLabel('Description').fill('People sought for the High Street robberies');
      await page.getByRole('button', { name: 'Create watch list' }).click();
      await page.getByRole('button', { name: 'Add entry…' }).click();
      const entry = page.getByRole('dialog', { name: 'Add a watch-list entry' });
      await entry.getByLabel('Reference image file').fill(path.join(FACES_DIR, 'identities', 'Joe_Biden', 'biden.jpg'));
      await entry.getByRole('button', { name: 'Import image' }).click();
      const chosen = entry.getByRole('img', { name: /^Chosen reference: face \d+ of biden\.jpg$/ });
      const offered = entry.getByRole('list', { name: /^Faces in biden\.jpg/ });
      await expect(chosen.or(offered)).toBeVisible({ timeout: 30_000 });
      if (await offered.isVisible()) await offered.getByRole('button').first().click();
      await entry.getByLabel('Label').fill('Suspect B');
      await entry.getByLabel('Retain until').fill('2030-06-30');
      await entry.getByLabel('Source of the image').fill('Custody photograph, record 0077/25');
      await entry.getByLabel('Reason for listing').fill('Named by a witness of the second robbery');
      await entry.getByRole('button', { name: 'Add entry' }).click();
      await expect(entry).toBeHidden();
      await signOut(page);

      // The analyst may not search the list before a supervisor has said yes: she asks, with her purpose.
      await openCase(page, ANN);
      await watchListSearch(page);
      await expect(page.getByText('Searches of watch lists in this case must be authorised by a supervisor')).toBeVisible();
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'must be authorised by a supervisor' })).toBeVisible();
      await page.getByRole('button', { name: 'Request authorisation' }).click();
      await expect(page.getByText('Request #1 was sent')).toBeVisible();
      await screenshot(page, 'search-authorisation-requested');
      await signOut(page);

      await openCase(page, SUPERVISOR);
      const requests = page.getByRole('region', { name: 'Search authorisations' });
      await expect(requests).toContainText(PURPOSE);
      await requests.getByRole('button', { name: 'Approve request 1' }).click();
      const approve = page.getByRole('dialog', { name: 'Approve request 1' });
      await approve.getByLabel('Reason').fill('Necessary and proportionate: named suspect of OP-E2E/001');
      await approve.getByRole('button', { name: 'Approve' }).click();
      await expect(requests).toContainText('Approved, not yet run');
      await screenshot(page, 'search-authorisation-approved');
      await signOut(page);

      await openCase(page, ANN);
      await watchListSearch(page);
      await expect(page.getByText('This search runs under authorisation #1, approved by sam')).toBeVisible();
      await page.getByLabel('Threshold (false match rate)').selectOption('none');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const how = page.getByRole('region', { name: 'How the search was made' });
      await expect(how).toContainText('request #1');
      await expect(how).toContainText(CASE.authorisedBy);
      // Blind mode (on by default) lists the candidate by face until she has examined it.
      await expect(page.getByRole('region', { name: 'Candidates (1)' })).toContainText('biden.jpg');
      await screenshot(page, 'search-authorisation-result');
    } finally {
      await folder.remove();
    }
  });
});
