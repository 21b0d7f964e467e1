import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test } from './harness';
import { caseScreen, createCase, evidenceFolder, importFinished, setUpSupervisor, startImport } from './steps';

const faces = (...p: string[]) => path.join(FACES_DIR, ...p);

test.describe('examiner review', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('the comparison view works from the keyboard alone: zoom to pixels, sync, overlay, flicker, wipe, adjustments and a marker', async ({ page }) => {
    test.setTimeout(120_000);
    const folder = await evidenceFolder({
      'obama.jpg': faces('identities', 'Barack_Obama', 'obama.jpg'),
      'obama_and_biden.jpg': faces('groups', 'face_recognition', 'obama_and_biden.jpg'),
    });
    try {
      await setUpSupervisor(page);
      await createCase(page);
      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir], { exhibitRef: 'JD/1' });
      await expect(await importFinished(page)).toContainText('2 of 2');
      await page.getByRole('list', { name: 'Exhibits' }).getByRole('link', { name: /obama\.jpg/ }).first().click();
      await page.getByRole('table', { name: 'Faces in this exhibit, best quality first' }).getByRole('row').nth(1).getByRole('button').click();
      await page.getByRole('link', { name: 'Search with this face' }).click();
      await page.getByLabel('Purpose').fill('Find the man in the suit seen at the robbery scene');
      await page.getByLabel('Threshold (false match rate)').selectOption('none');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const first = page.getByRole('table', { name: 'Candidates, best score first' }).getByRole('row').nth(1);
      await first.getByRole('link', { name: 'Examine candidate 1 beside the probe' }).click();

      const view = page.getByRole('group', { name: /^Comparison view/ });
      await expect(page.getByRole('img', { name: /^Left \(probe\): aligned face/ })).toBeVisible();
      await expect(page.getByRole('img', { name: /^Right \(candidate\): aligned face/ })).toBeVisible();
      await view.focus();
      await expect(view).toBeFocused();
      const scale = page.locator('.viewer-scale');
      for (let i = 0; i < 12; i++) await page.keyboard.press('+');
      await expect(scale).toContainText('Zoom ×14.55');
      // Synced: both images zoom together; a recorded pixel covers many screen pixels on both.
      await expect(scale).toContainText(/left: 1 aligned pixel = \d{2,}\.\d screen pixels · right: 1 aligned pixel = \d{2,}\.\d screen pixels/);
      await expect(page.getByRole('img', { name: /^Left \(probe\)/ })).toHaveCSS('image-rendering', 'pixelated');
      await page.keyboard.press('p');
      await expect(page.getByRole('button', { name: 'Smoothing' })).toHaveAttribute('aria-pressed', 'true');
      await page.keyboard.press('p');
      // Unsynced, only the active image moves; its offset stays when sync comes back.
      await page.keyboard.press('s');
      await expect(page.getByRole('button', { name: 'Sync' })).toHaveAttribute('aria-pressed', 'false');
      await page.keyboard.press('2');
      const right = page.getByRole('img', { name: /^Right \(candidate\)/ });
      const left = page.getByRole('img', { name: /^Left \(probe\)/ });
      const leftBefore = await left.getAttribute('style');
      const rightBefore = await right.getAttribute('style');
      await page.keyboard.press('ArrowLeft');
      expect(await left.getAttribute('style')).toBe(leftBefore);
      expect(await right.getAttribute('style')).not.toBe(rightBefore);
      await page.keyboard.press('s');
      await expect(page.getByRole('button', { name: 'Sync' })).toHaveAttribute('aria-pressed', 'true');
      await page.keyboard.press('0');
      await page.keyboard.press('b');
      await page.keyboard.press('k');
      await expect(page.getByText('Right (candidate) · active · brightness +10, greyscale')).toBeVisible();
      await page.keyboard.press('m');
      await expect(page.getByRole('list', { name: 'Markers' })).toContainText('Right, aligned view');
      await page.getByLabel('Note for marker 1').fill('Mole under the left eye');
      await view.focus();
      await screenshot(page, 'review-compare');

      await page.keyboard.press('o');
      await expect(page.getByText('Right over left at 50% opacity')).toBeVisible();
      await page.keyboard.press(']');
      await expect(page.getByText('Right over left at 55% opacity')).toBeVisible();
      await screenshot(page, 'review-overlay');
      await page.keyboard.press('w');
      await expect(page.getByText('Left | right, split at 50%')).toBeVisible();
      await page.keyboard.press('f');
      await expect(page.getByText(/^Flicker: now (left|right)/)).toBeVisible();
      await page.keyboard.press('f');
      await page.keyboard.press('v');
      await expect(page.getByRole('img', { name: /^Left \(probe\): recorded frame/ })).toBeVisible();
      await page.keyboard.press('l');
      await expect(page.getByRole('button', { name: 'Landmarks' })).toHaveAttribute('aria-pressed', 'true');
      await page.keyboard.press('?');
      await expect(page.getByRole('region', { name: 'Keyboard shortcuts' })).toContainText('Wipe: split the view');
      await expect(page.getByRole('region', { name: /^Left image: source/ })).toContainText(/SHA-256 of the file[0-9a-f]{64}/);
      await screenshot(page, 'review-original');
    } finally {
      await folder.remove();
    }
  });
});
