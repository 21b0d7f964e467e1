import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test } from './harness';
import { blindModeOff, caseScreen, createCase, evidenceFolder, importFinished, setUpSupervisor, startImport } from './steps';

const faces = (...p: string[]) => path.join(FACES_DIR, ...p);

/** The best face of an exhibit, chosen in its faces table (best quality first); returns its name ("Face 3"). */
async function chooseBestFace(page: Page): Promise<string> {
  const best = page.getByRole('table', { name: 'Faces in this exhibit, best quality first' }).getByRole('row').nth(1).getByRole('button');
  const name = (await best.textContent()) ?? '';
  await best.click();
  return name;
}

test.describe('investigation', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('searches with a probe, compares 1:1, searches a watch list, groups faces into persons, and finds every step in the audit record', async ({ page }) => {
    test.setTimeout(180_000);
    const folder = await evidenceFolder({
      'obama.jpg': faces('identities', 'Barack_Obama', 'obama.jpg'),
      'biden.jpg': faces('identities', 'Joe_Biden', 'biden.jpg'),
      'obama_and_biden.jpg': faces('groups', 'face_recognition', 'obama_and_biden.jpg'),
      // Two people never photographed together here, two pictures each: groups that may be merged.
      'kit1.jpg': faces('identities', 'Kit_Harington', 'john1.jpeg'),
      'kit2.jpg': faces('identities', 'Kit_Harington', 'john2.jpeg'),
      'rose1.jpg': faces('identities', 'Rose_Leslie', 'img1.jpg'),
      'rose2.jpg': faces('identities', 'Rose_Leslie', 'img2.jpg'),
    });
    try {
      await setUpSupervisor(page);
      await createCase(page);
      // This spec reads scores in candidate lists; blind review is e2e/review.spec.ts's subject.
      await blindModeOff(page);

      // What the model pack says about itself, as the user sees it.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model packs' }).click();
      const inUse = page.getByRole('table', { name: 'Model packs' }).getByRole('row').filter({ has: page.getByRole('rowheader') }).filter({ has: page.getByText('In use', { exact: true }) });
      await expect(inUse).toHaveCount(1);
      const packSaysCalibrated = !(await inUse.textContent())?.includes('Not calibrated');
      await expect(page.getByRole('region', { name: /^Model card: .* In use$/ })).toContainText('Training data');
      await screenshot(page, 'models');

      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir], { exhibitRef: 'JD/1' });
      await expect(await importFinished(page)).toContainText('7 of 7');

      // A probe from an evidence view.
      await page.getByRole('list', { name: 'Exhibits' }).getByRole('link', { name: /obama\.jpg/ }).first().click();
      await chooseBestFace(page);
      await page.getByRole('link', { name: 'Search with this face' }).click();
      await expect(page.getByRole('heading', { name: 'Search', level: 1 })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Probe' })).toContainText('obama.jpg');
      const notice = page.getByText(/has no calibration, so scores cannot be read as false match rates/);
      if (packSaysCalibrated) await expect(notice).toHaveCount(0);
      else {
        await expect(notice).toBeVisible();
        await expect(page.getByLabel('Threshold (false match rate)')).toHaveValue('none');
      }
      // The purpose is required, and said so beside it.
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByLabel('Purpose')).toHaveAccessibleDescription(/Say why this search is being made/);
      await page.getByLabel('Purpose').fill('Find the man in the suit seen at the robbery scene');
      await page.getByLabel('Threshold (false match rate)').selectOption('none');
      await page.getByRole('button', { name: 'Search', exact: true }).click();

      await expect(page.getByRole('heading', { name: /^Search \d+$/, level: 1 })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Investigative leads, not identifications' })).toBeVisible();
      await expect(page.getByText(/A candidate is nobody until a trained examiner has compared the faces/)).toBeVisible();
      const candidates = page.getByRole('table', { name: 'Candidates, best score first' });
      const first = candidates.getByRole('row').nth(1);
      await expect(first.getByRole('rowheader')).toHaveText('1');
      await expect(first).toContainText(/\d\.\d{3}/);
      await expect(first).toContainText('obama_and_biden.jpg');
      const calibration = page.getByRole('region', { name: 'How the search was made' });
      const searchCalibrated = !(await calibration.textContent())?.includes('none: scores are not read as false match rates');
      if (searchCalibrated) await expect(first).toContainText(/(about|fewer than|more than) 1 in [\d,]+/);
      else await expect(first).toContainText('not estimated (no calibration)');
      await screenshot(page, 'search-results');

      // 1:1 with the top candidate.
      await first.getByRole('link', { name: 'Compare candidate 1 with the probe' }).click();
      await expect(page.getByRole('heading', { name: 'Compare 1:1', level: 1 })).toBeVisible();
      await expect(page.getByRole('img', { name: 'Face A aligned' })).toBeVisible();
      await expect(page.getByRole('img', { name: 'Face B aligned' })).toBeVisible();
      await page.getByLabel('Purpose').fill('Examine the top candidate of the robbery search');
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      const result = page.getByRole('region', { name: 'Result' });
      await expect(result.getByLabel(/^Score \d\.\d{3}$/)).toBeVisible();
      await expect(result).toContainText(searchCalibrated ? /Estimated false match rate: (about|fewer than|more than) 1 in/ : 'Estimated false match rate: not estimated (no calibration)');
      await expect(result.getByRole('heading', { name: /^Face A Q \d+/ })).toBeVisible();
      await expect(result.getByRole('heading', { name: /^Face B Q \d+/ })).toBeVisible();
      await screenshot(page, 'compare');

      // A watch list with a reference face imported for it.
      await caseScreen(page, 'Watch lists');
      await page.getByLabel('Name').fill('Robbery suspects');
      await page.getByLabel('Description').fill('People sought for the High Street robberies, authorised by DI Example');
      await page.getByRole('button', { name: 'Create watch list' }).click();
      await expect(page.getByRole('heading', { name: 'Robbery suspects' })).toBeVisible();
      await page.getByRole('button', { name: 'Add entry…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a watch-list entry' });
      await dialog.getByLabel('Reference image file').fill(faces('identities', 'Barack_Obama', 'obama2.jpg'));
      await dialog.getByRole('button', { name: 'Import image' }).click();
      const chosen = dialog.getByRole('img', { name: /^Chosen reference: face \d+ of obama2\.jpg$/ });
      const offered = dialog.getByRole('list', { name: /^Faces in obama2\.jpg/ });
      await expect(chosen.or(offered)).toBeVisible({ timeout: 30_000 });
      if (await offered.isVisible()) await offered.getByRole('button').first().click();
      await expect(chosen).toBeVisible();
      await dialog.getByLabel('Label').fill('Suspect A');
      await dialog.getByLabel('Retain until').fill('2030-06-30');
      await dialog.getByLabel('Source of the image').fill('Custody photograph, record 0042/25');
      await dialog.getByLabel('Reason for listing').fill('Named by two witnesses of the first robbery');
      await dialog.getByRole('button', { name: 'Add entry' }).click();
      await expect(dialog).toBeHidden();
      const entry = page.getByRole('table', { name: 'Entries of Robbery suspects' }).getByRole('row', { name: /Suspect A/ });
      await expect(entry).toContainText('Custody photograph, record 0042/25');
      await expect(entry).toContainText('2030-06-30');
      await expect(entry).toContainText('sam');
      await screenshot(page, 'watchlists');

      // Searching the watch list only, with a probe chosen in the picker.
      await caseScreen(page, 'Search');
      const choose = page.getByRole('button', { name: 'Choose probe…' });
      await choose.click();
      const picker = page.getByRole('dialog', { name: 'Choose the probe face' });
      // The picker is a dialog like the others: focus inside, Escape closes it and gives focus back.
      await expect(picker.getByLabel('Exhibit')).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(picker).toBeHidden();
      await expect(choose).toBeFocused();
      await page.keyboard.press('Enter');
      await picker.getByLabel('Exhibit').selectOption((await picker.getByRole('option', { name: /obama_and_biden\.jpg/ }).getAttribute('value')) ?? '');
      await picker.getByRole('list', { name: /^Faces in JD\/1 · obama_and_biden\.jpg/ }).getByRole('button').first().click();
      await expect(picker).toBeHidden();
      await page.getByLabel('Purpose').fill('Check the scene photograph against the suspects list');
      await page.getByLabel("This case's evidence").uncheck();
      await page.getByLabel(/^Watch list: Robbery suspects/).check();
      await page.getByLabel('Threshold (false match rate)').selectOption('none');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const listHit = page.getByRole('table', { name: 'Candidates, best score first' }).getByRole('row').nth(1);
      await expect(listHit).toContainText('Suspect A');
      await expect(listHit).toContainText('Robbery suspects');
      await expect(page.getByRole('region', { name: 'How the search was made' })).toContainText('watch list “Robbery suspects”');

      // A probe of two stills of one person, chosen by the examiner, searched as one fused template.
      await caseScreen(page, 'Search');
      const pickFace = async (dialogName: string, file: RegExp, button: string) => {
        await page.getByRole('button', { name: button }).click();
        const dialog = page.getByRole('dialog', { name: dialogName });
        await dialog.getByLabel('Exhibit').selectOption((await dialog.getByRole('option', { name: file }).getAttribute('value')) ?? '');
        await dialog.getByRole('list', { name: /^Faces in JD\/1 · / }).getByRole('button').first().click();
        await expect(dialog).toBeHidden();
      };
      await pickFace('Choose the probe face', /kit1\.jpg/, 'Choose probe…');
      await pickFace('Add a still of the same person', /kit2\.jpg/, 'Add a still of the same person…');
      await expect(page.getByRole('list', { name: 'More stills of the same person' }).getByRole('img', { name: /^Still: face \d+ of JD\/1 · kit2\.jpg$/ })).toBeVisible();
      await page.getByLabel('Purpose').fill('Search with both custody photographs of the suspect');
      await page.getByLabel('Threshold (false match rate)').selectOption('none');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByRole('region', { name: 'Probe' })).toContainText('Searched as one fused template of 2 stills of the same person');
      await expect(page.getByRole('region', { name: 'Probe' })).toContainText('Not calibrated for fused templates');
      const fused = page.getByRole('table', { name: 'Candidates, best score first' }).getByRole('row').nth(1);
      await expect(fused).toContainText(/template \(2 × 1 faces\)/);
      await expect(fused).toContainText(/best single face \d\.\d{3}/);
      await expect(fused).toContainText('the template: not calibrated for fused templates');
      await screenshot(page, 'search-fused-probe');

      // An entry leaves a list only with a reason.
      await caseScreen(page, 'Watch lists');
      await page.getByRole('button', { name: 'Remove Suspect A from Robbery suspects' }).click();
      const removing = page.getByRole('dialog', { name: 'Remove Suspect A' });
      await removing.getByLabel('Reason for removal').fill('Eliminated: alibi confirmed by CCTV at another place');
      await removing.getByRole('button', { name: 'Remove entry' }).click();
      await expect(removing).toBeHidden();
      await expect(page.getByText('No entries yet.')).toBeVisible();

      // Persons: grouping needs a calibrated pack; without one the refusal says so.
      await caseScreen(page, 'Persons');
      await expect(page.getByText(/Putative groups/)).toBeVisible();
      await page.getByLabel('Link faces at a false match rate of').selectOption('0.01');
      await page.getByRole('button', { name: 'Group faces' }).click();
      if (searchCalibrated) {
        await expect(page.getByRole('status').filter({ hasText: /Faces were grouped into \d+ groups/ })).toBeVisible({ timeout: 30_000 });
        const groups = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^Merge another group into/ }) });
        expect(await groups.count()).toBeGreaterThanOrEqual(2);
        await groups.first().getByRole('button', { name: /^Merge another group into/ }).click();
        const merge = page.getByRole('dialog', { name: /^Merge into/ });
        const option = merge.locator('option:not([disabled])').first();
        await merge.getByLabel('Group to merge in').selectOption((await option.getAttribute('value')) ?? '');
        await merge.getByRole('button', { name: 'Merge' }).click();
        await expect(page.getByRole('status').filter({ hasText: /was merged into/ })).toBeVisible();
        const undo = page.getByRole('button', { name: 'Undo last edit' });
        await undo.click();
        await expect(page.getByRole('status').filter({ hasText: 'The last edit was undone.' })).toBeVisible();
        // An examiner's name for a group.
        await groups.first().getByRole('button', { name: /^Name / }).click();
        const naming = page.getByRole('dialog', { name: /^Name / });
        await naming.getByLabel('Name').fill('Man in dark suit');
        await naming.getByRole('button', { name: 'Save name' }).click();
        await expect(page.getByRole('heading', { name: /^Man in dark suit \(group \d+\)/ })).toBeVisible();
        // A face the examiner doubts goes back to unassigned; the selection bar offers the moves.
        const unassigned = page.getByRole('list', { name: 'Faces of Unassigned' }).getByRole('button');
        const before = await unassigned.count();
        await page.getByRole('list', { name: /^Faces of Man in dark suit/ }).getByRole('button').first().click();
        const bar = page.getByRole('region', { name: 'Selected faces' });
        await expect(bar).toContainText('1 face selected');
        await bar.getByLabel('Move to').selectOption('unassigned');
        await bar.getByRole('button', { name: 'Move' }).click();
        await expect(page.getByRole('status').filter({ hasText: 'The face was moved to unassigned.' })).toBeVisible();
        await expect(unassigned).toHaveCount(before + 1);
      } else {
        await expect(page.getByRole('alert')).toContainText('has no calibration');
      }
      await screenshot(page, 'persons');

      // Every step is on the case's record.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
      await page.getByLabel('Per page').selectOption('1000');
      const records = page.getByRole('table', { name: 'Case audit record, newest first' });
      const steps: [string, string][] = [
        ['evidence.import', 'ok'],
        ['evidence.importProbe', 'ok'],
        ['search.run', 'ok'],
        ['compare.faces', 'ok'],
        ['watchlists.create', 'ok'],
        ['watchlists.addEntry', 'ok'],
        ['persons.group', searchCalibrated ? 'ok' : 'failed'],
        ['watchlists.removeEntry', 'ok'],
        ...(searchCalibrated
          ? ([
              ['persons.merge', 'ok'],
              ['persons.undo', 'ok'],
              ['persons.name', 'ok'],
              ['persons.moveFace', 'ok'],
            ] as [string, string][])
          : []),
      ];
      for (const [action, outcome] of steps) {
        await expect(records.getByRole('row').filter({ hasText: action }).filter({ hasText: outcome }).first()).toBeVisible();
      }
      await expect(records.getByRole('row').filter({ hasText: 'search.run' })).toHaveCount(3);
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Chain intact' })).toBeVisible();
    } finally {
      await folder.remove();
    }
  });
});
