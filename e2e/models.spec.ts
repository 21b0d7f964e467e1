import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, screenshot, test } from './harness';
import { setUpSupervisor } from './steps';

const hasPack = (name: string) => existsSync(path.join(MODELS_DIR, name, 'manifest.json'));

test.describe('model packs', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!hasPack('yunet') || !hasPack('default'), `the yunet and default packs are not both installed in ${MODELS_DIR} (run .ci/run, or set LOUPE_MODELS): skipped`);
  // Installing and calibrating write into the models folder: this test gets one of its own, with yunet only.
  test.use({ ownModels: ['yunet'] });

  test('a supervisor installs a pack from a folder and calibrates the pack in use on labelled photos', async ({ page }) => {
    test.setTimeout(150_000);
    // Eight TV characters, five small crops each: one folder per person, as calibration wants.
    const labelled = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-labelled-'));
    try {
      const people = readdirSync(path.join(FACES_DIR, 'identities')).filter((n) => n.startsWith('bbt_'));
      for (const person of people) {
        await mkdir(path.join(labelled, person));
        for (const f of readdirSync(path.join(FACES_DIR, 'identities', person))) await copyFile(path.join(FACES_DIR, 'identities', person, f), path.join(labelled, person, f));
      }

      await setUpSupervisor(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model packs' }).click();
      const packs = page.getByRole('table', { name: 'Model packs' });
      await expect(packs.getByRole('row', { name: /^default/ })).toContainText('Not installed');
      await expect(packs.getByRole('row', { name: /^yunet/ })).toContainText('In use');

      // Nothing chosen: refused beside the field before anything is sent.
      const install = page.getByRole('region', { name: 'Install a model pack' });
      await install.getByRole('button', { name: 'Install pack' }).click();
      await expect(install.getByLabel('Pack')).toHaveAttribute('aria-invalid', 'true');
      await install.getByLabel('Pack').selectOption('default');
      await install.getByLabel('From folder').fill(path.join(MODELS_DIR, 'default'));
      await install.getByRole('button', { name: 'Install pack' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Model pack default 1.0.0 is installed and its files verified.' })).toBeVisible({ timeout: 30_000 });
      await expect(packs.getByRole('row', { name: /^default/ })).toContainText('Installed');
      await expect(packs.getByRole('row', { name: /^yunet/ })).toContainText('In use');

      const calibrate = page.getByRole('region', { name: 'Calibrate a model pack' });
      await expect(calibrate.getByLabel('Pack to calibrate')).toHaveValue('yunet');
      await calibrate.getByLabel('Labelled photo folders').fill(labelled);
      await calibrate.getByLabel('Data set').fill('Eight TV characters, five 150 px greyscale crops each (face-api.js test data)');
      await calibrate.getByRole('button', { name: 'Measure calibration' }).click();
      const figures = calibrate.getByRole('status');
      await expect(figures).toContainText(/Measured on \d+ images of 8 people/, { timeout: 120_000 });
      await expect(figures.getByRole('table', { name: 'Share of genuine pairs found at each false match rate' })).toBeVisible();
      // Per quality band: the photos' degraded copies populate the bands; a band with too few pairs states no rate.
      const bands = figures.getByRole('table', { name: 'Impostor pairs measured per quality band' });
      await expect(bands).toContainText('greyscale');
      await expect(bands).toContainText(/fewer than 1 in [\d,]+/);
      await expect(page.getByRole('status').filter({ hasText: 'Model pack yunet 1.0.0 is calibrated' })).toBeVisible();
      await expect(packs.getByRole('row', { name: /^yunet/ })).toContainText('Calibrated');
      await screenshot(page, 'models-calibrated');
    } finally {
      await rm(labelled, { recursive: true, force: true });
    }
  });
});
