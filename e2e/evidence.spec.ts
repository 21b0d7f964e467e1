import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test } from './harness';
import { caseScreen, createCase, evidenceFolder, importFinished, setUpSupervisor, startImport } from './steps';

const faces = (...p: string[]) => path.join(FACES_DIR, ...p);

test.describe('evidence', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('imports a folder and a video, shows faces, failed files and duplicates, and verifies the originals', async ({ page }) => {
    test.setTimeout(150_000);
    const folder = await evidenceFolder(
      {
        'obama.jpg': faces('identities', 'Barack_Obama', 'obama.jpg'),
        'biden.jpg': faces('identities', 'Joe_Biden', 'biden.jpg'),
        'obama_and_biden.jpg': faces('groups', 'face_recognition', 'obama_and_biden.jpg'),
        // The same bytes under another name: recorded as a duplicate of the first copy.
        'IMG_0001.jpg': faces('identities', 'Barack_Obama', 'obama.jpg'),
      },
      // A text file named like a photo: typed by its bytes, refused with the reason.
      { 'notes.jpg': 'Officer notes, not a photograph.\n' },
    );
    try {
      await setUpSupervisor(page);
      await createCase(page);
      await caseScreen(page, 'Evidence');
      await expect(page.getByRole('heading', { name: 'Evidence', level: 1 })).toBeVisible();
      await expect(page.getByText('No exhibits yet.')).toBeVisible();

      // A bad frame rate is refused beside its field before anything starts.
      await startImport(page, [folder.dir], { exhibitRef: 'JD/1', framesPerSecond: '50' });
      await expect(page.getByLabel('Video frames per second')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Video frames per second')).toBeFocused();
      await page.getByLabel('Video frames per second').fill('2');
      await page.getByRole('region', { name: 'Import evidence' }).getByRole('button', { name: 'Import', exact: true }).click();

      const running = page.getByRole('region', { name: /^Import(ing| finished)$/ });
      await expect(running).toBeVisible();
      await expect(running.getByRole('progressbar', { name: 'Files imported' })).toBeVisible();
      await screenshot(page, 'import-progress');
      const done = await importFinished(page);
      await expect(done).toContainText('5 of 5');
      await expect(done.getByRole('definition').nth(2)).toHaveText('1');
      await expect(done.getByRole('definition').nth(3)).toHaveText('1');

      const grid = page.getByRole('list', { name: 'Exhibits' });
      await expect(grid.getByRole('link', { name: /obama_and_biden\.jpg/ })).toContainText(/\d+ faces/);
      await expect(grid.getByRole('link', { name: /biden\.jpg/ }).first()).toContainText('JD/1');
      // Thumbnails really come from the open case (not a broken image with the right label).
      await expect.poll(() => grid.locator('img').first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
      const failed = page.getByRole('region', { name: /Failed files/ });
      await expect(failed.getByRole('row', { name: /notes\.jpg/ })).toContainText('Not an image or video Loupe can read');
      const duplicates = page.getByRole('region', { name: /Duplicates/ });
      await expect(duplicates.getByRole('row')).toHaveCount(2);

      // The video, as a second import.
      await startImport(page, [faces('video', 'face_recognition', 'short_hamilton_clip.mp4')], { exhibitRef: 'JD/2', framesPerSecond: '2' });
      await expect(page.getByRole('region', { name: 'Import finished' })).toContainText('1 of 1', { timeout: 90_000 });
      const video = grid.getByRole('link', { name: /short_hamilton_clip\.mp4/ });
      await expect(video).toContainText(/\d+ tracks/);
      await expect(page.getByRole('table', { name: 'Imports of this case, newest first' }).getByRole('row')).toHaveCount(3);

      await page.getByRole('button', { name: 'Verify originals' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Originals verified' })).toContainText(/all \d+ files match the SHA-256 taken at import/);
      await screenshot(page, 'evidence-grid');

      // A duplicate links to its first copy, which holds the faces.
      await duplicates.getByRole('link', { name: /first copy/ }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText(/obama\.jpg|IMG_0001\.jpg/);
      await page.getByRole('link', { name: 'All evidence' }).click();

      // The group photo: faces outlined on the picture; choosing one shows its quality and what it is good for.
      await grid.getByRole('link', { name: /obama_and_biden\.jpg/ }).click();
      await expect(page.getByRole('heading', { name: 'JD/1 · obama_and_biden.jpg', level: 1 })).toBeVisible();
      await expect(page.getByRole('img', { name: /obama_and_biden\.jpg, with \d+ faces outlined/ })).toBeVisible();
      const faceTable = page.getByRole('table', { name: 'Faces in this exhibit, best quality first' });
      const best = faceTable.getByRole('row').nth(1).getByRole('button');
      const bestName = (await best.textContent()) ?? '';
      await best.click();
      const detail = page.getByRole('region', { name: bestName });
      await expect(detail).toContainText('Quality score');
      await expect(detail).toContainText('Between the eyes');
      await expect(detail.getByRole('link', { name: 'Search with this face' })).toBeVisible();
      await expect(page.getByRole('button', { name: new RegExp(`^${bestName}, quality`) })).toHaveAttribute('aria-pressed', 'true');
      await screenshot(page, 'evidence-view');

      // The video: its tracks on a timeline, the frames with faces, a track's best face.
      await caseScreen(page, 'Evidence');
      await video.click();
      const tracks = page.getByRole('region', { name: /^Tracks \(\d+\)$/ });
      await expect(tracks).toBeVisible();
      await tracks.getByRole('button', { name: /^Track \d+: .*show its best face$/ }).first().click();
      await expect(page.getByRole('region', { name: /^Face \d+$/ })).toContainText('Time in video');
      await expect(page.getByRole('region', { name: /^Frames with faces \(\d+\)$/ }).getByRole('button', { pressed: true })).toHaveCount(1);
      await expect(page.getByRole('img', { name: /^Frame at \d:\d\d\.\d{3} of short_hamilton_clip\.mp4$/ })).toBeVisible();
      await screenshot(page, 'evidence-video');

      // A face the quality measure calls insufficient is searched only with a written reason.
      const faceRows = page.getByRole('table', { name: 'Faces in this exhibit, best quality first' }).getByRole('row').filter({ has: page.getByRole('rowheader') });
      await faceRows.filter({ hasText: 'insufficient' }).first().getByRole('button').click();
      await expect(page.getByRole('region', { name: /^Face \d+$/ })).toContainText('Insufficient for comparison.');
      await page.getByRole('link', { name: 'Search with this face' }).click();
      const override = page.getByLabel('Why search with an insufficient probe');
      await expect(override).toBeVisible();
      await page.getByLabel('Purpose').fill('Trace the performer seen in profile on stage');
      await page.getByLabel('Threshold (false match rate)').selectOption('none');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(override).toHaveAccessibleDescription(/Give a reason of at least 10 characters/);
      await expect(override).toBeFocused();
      await override.fill('The only view of this face in the footage; every lead will be examined');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Investigative leads, not identifications' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'How the search was made' })).toContainText('The only view of this face in the footage');
    } finally {
      await folder.remove();
    }
  });

  test('an import can be cancelled and resumed without importing anything twice', async ({ page }) => {
    test.setTimeout(120_000);
    // Small LFW crops: quick to analyse, many enough that cancelling lands before the end.
    const people = readdirSync(faces('lfw150')).filter((n) => !n.includes('.')).slice(0, 30);
    const copies = Object.fromEntries(
      people.map((p) => {
        const first = readdirSync(faces('lfw150', p)).find((f) => f.endsWith('.jpg')) as string;
        return [`${p}.jpg`, faces('lfw150', p, first)];
      }),
    );
    const folder = await evidenceFolder(copies);
    try {
      await setUpSupervisor(page);
      await createCase(page);
      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir]);
      const running = page.getByRole('region', { name: 'Importing' });
      await running.getByRole('button', { name: 'Cancel import' }).click();
      const cancelled = page.getByRole('region', { name: 'Import cancelled' });
      await expect(cancelled).toBeVisible({ timeout: 30_000 });
      const doneBefore = Number((await cancelled.getByRole('definition').first().textContent())?.split(' of ')[0]);
      expect(doneBefore).toBeLessThan(people.length);
      await expect(page.getByRole('table', { name: 'Imports of this case, newest first' }).getByRole('row').nth(1)).toContainText('cancelled');

      await cancelled.getByRole('button', { name: 'Resume import' }).click();
      const done = await importFinished(page);
      await expect(done).toContainText(`${people.length} of ${people.length}`);
      // Nothing twice: one exhibit per file, and no duplicate recorded for the files done before cancelling.
      await expect(page.getByText(`1–${people.length} of ${people.length}`)).toBeVisible();
      await expect(page.getByRole('region', { name: /Duplicates/ })).toHaveCount(0);
      await expect(page.getByRole('table', { name: 'Imports of this case, newest first' }).getByRole('row')).toHaveCount(2);
    } finally {
      await folder.remove();
    }
  });
});
