import { readdirSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, screenshot, test } from './harness';
import { setUpSupervisor } from './steps';

test.describe('validation', () => {
  test.skip(!facesAvailable, FACES_MISSING);

  test('a supervisor validates the pack in use on labelled photos grouped by source, and reads the figures and curves', async ({ page }) => {
    test.setTimeout(240_000);
    // Eight TV characters (greyscale crops) and ten ORL subjects (greyscale scans), a folder per person, grouped by where they come from.
    const data = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-validation-'));
    try {
      const identities = path.join(FACES_DIR, 'identities');
      const people = [...readdirSync(identities).filter((n) => n.startsWith('bbt_')), ...Array.from({ length: 10 }, (_, i) => `ORL_s${i + 1}`)];
      for (const p of people) await cp(path.join(identities, p), path.join(data, 'photos', p), { recursive: true });
      const groups = path.join(data, 'groups.csv');
      await writeFile(groups, `person,source\n${people.map((p) => `${p},${p.startsWith('bbt_') ? 'bbt crops' : 'ORL scans'}`).join('\n')}\n`);

      await setUpSupervisor(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model packs' }).click();
      const onPacks = page.getByRole('region', { name: 'Validation on local photos' });
      await expect(onPacks).toContainText('No pack has been validated on this workstation yet.');
      const card = page.getByRole('region', { name: /^Model card: yunet/ });
      await expect(card).toContainText('Not validated on this workstation’s own photos yet.');
      await onPacks.getByRole('link', { name: 'Open the Validation screen' }).click();
      await expect(page.getByRole('heading', { name: 'Validation', level: 1 })).toBeVisible();

      const run = page.getByRole('region', { name: 'Validate a model pack' });
      await run.getByLabel('Labelled photo folders').fill(path.join(data, 'photos'));
      await run.getByLabel('Groups file (optional)').fill(groups);
      await run.getByLabel('Data set').fill('Test photos: eight TV characters and ten ORL subjects, grouped by their source');
      await run.getByRole('button', { name: 'Run validation' }).click();

      const record = page.getByRole('region', { name: /^Validation of yunet/ });
      await expect(record).toBeVisible({ timeout: 180_000 });
      await expect(record).toContainText('140 images of 18 people');
      await expect(record).toContainText('is not a bias result');
      const rates = record.getByRole('table', { name: 'Error rates with 95% intervals (resampling people)' });
      await expect(rates.getByRole('columnheader')).toHaveText(['Measure', 'All', 'ORL scans', 'bbt crops']);
      await expect(rates.getByRole('row', { name: /^Rank-1 identification rate/ })).toContainText('95% CI');
      await expect(record.getByRole('table', { name: /^Worst group over best group/ })).toBeVisible();
      const det = record.getByRole('img', { name: /^DET curves: all and by source/ });
      await expect(det).toBeVisible();
      // The chart is drawn (an image that failed to load has no natural width).
      expect(await det.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      await expect(record.getByRole('img', { name: /^Score distributions: source bbt crops/ })).toBeVisible();
      await record.scrollIntoViewIfNeeded();
      await screenshot(page, 'validation-record');
      await det.scrollIntoViewIfNeeded();
      await screenshot(page, 'validation-curves');

      // The record is listed here and on the model packs screen.
      await expect(page.getByRole('table', { name: 'Validation records' }).getByRole('row', { name: /yunet/ })).toHaveCount(1);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model packs' }).click();
      await expect(onPacks.getByRole('table', { name: 'Validation records' })).toContainText('Test photos: eight TV characters');
      // And on the pack's own model card, with the way to it.
      await expect(card).toContainText(/1 record\(s\) of this version on this workstation; the latest on Test photos: eight TV characters/);
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, 'model-card-validation');
      await card.getByRole('link', { name: 'Open it' }).click();
      await expect(page.getByRole('region', { name: /^Validation of yunet/ })).toBeVisible();
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});
