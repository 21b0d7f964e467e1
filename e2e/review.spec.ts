import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test } from './harness';
import { addUser, ANN, assess, caseScreen, createCase, evidenceFolder, grant, importFinished, RITA, searchWithObama, setUpSupervisor, startImport, SUE, switchTo } from './steps';

const faces = (...p: string[]) => path.join(FACES_DIR, ...p);

test.describe('examiner review', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('an analyst examines blind, a reviewer verifies blind from the queue, a dispute goes to a supervisor, and the record shows every step', async ({ page }) => {
    test.setTimeout(240_000);
    const folder = await evidenceFolder({
      'obama.jpg': faces('identities', 'Barack_Obama', 'obama.jpg'),
      'obama2.jpg': faces('identities', 'Barack_Obama', 'obama2.jpg'),
      'biden.jpg': faces('identities', 'Joe_Biden', 'biden.jpg'),
    });
    try {
      await setUpSupervisor(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      for (const u of [ANN, RITA, SUE]) {
        await addUser(page, u);
        await expect(page.getByRole('row', { name: new RegExp(u.username) })).toBeVisible();
      }
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await createCase(page);
      for (const u of [ANN, RITA, SUE]) await grant(page, u.username);
      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir], { exhibitRef: 'JD/1' });
      await expect(await importFinished(page)).toContainText('3 of 3');

      // The analyst searches; the case is blind, so the list withholds rank, score and rate.
      await switchTo(page, ANN);
      await caseScreen(page, 'Evidence');
      await searchWithObama(page);
      const list = page.getByRole('table', { name: 'Candidates, in order of face (blind review)' });
      await expect(list).toBeVisible();
      await expect(page.getByText(/Blind review: this case hides each candidate/)).toBeVisible();
      const obamaRow = list.getByRole('row').filter({ hasText: 'obama2.jpg' });
      await expect(obamaRow).toContainText('withheld');
      await expect(obamaRow).toContainText('Not examined');
      await expect(obamaRow.getByRole('link', { name: /^Compare/ })).toHaveCount(0);
      const searchUrl = page.url();
      await screenshot(page, 'review-blind-candidates');

      // Comparison view: pixels, overlay, flicker, wipe, a marker; then the assessment, blind.
      await obamaRow.getByRole('button', { name: /^Examine candidate in row \d+ beside the probe$/ }).click();
      await expect(page.getByRole('heading', { name: /^Examine side by side: comparison \d+$/ })).toBeVisible();
      await expect(page.getByText(/^Blind: the score, rank, false match rate/)).toBeVisible();
      const view = page.getByRole('group', { name: /^Comparison view/ });
      await view.focus();
      for (let i = 0; i < 10; i++) await page.keyboard.press('+');
      await expect(page.locator('.viewer-scale')).toContainText('Zoom ×9.31');
      await page.getByRole('button', { name: 'Overlay' }).click();
      await expect(page.getByText('Right over left at 50% opacity')).toBeVisible();
      await page.getByRole('button', { name: 'Flicker' }).click();
      await expect(page.getByText(/^Flicker: now/)).toBeVisible();
      await page.getByRole('button', { name: 'Wipe' }).click();
      await expect(page.getByText('Left | right, split at 50%')).toBeVisible();
      await page.getByRole('button', { name: 'Wipe' }).click();
      await view.focus();
      await page.keyboard.press('0');
      await page.keyboard.press('2');
      await page.keyboard.press('m');
      await page.getByLabel('Note for marker 1').fill('Mole above the right eyebrow');
      await assess(page, 'Your assessment', 'Strong support for the same person', 'Eyebrows, nose, mouth and ear shape agree; the smaller face limits the detail but shows no difference.');
      await page.getByRole('button', { name: 'Save assessment' }).click();
      const record = page.getByRole('region', { name: 'Record' });
      await expect(record.getByRole('article', { name: 'Examination by ann' })).toContainText('made blind');
      await expect(page.getByText(/^Blind: the score/)).toBeVisible();
      await screenshot(page, 'review-assessed-blind');
      await page.getByRole('button', { name: 'Reveal the score' }).click();
      const score = page.getByRole('definition').filter({ hasText: /^\d\.\d{3}$/ });
      await expect(page.getByLabel('Revealed score')).toContainText(/Rank\d of \d/);
      await expect(score).toBeVisible();
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await expect(page.getByRole('heading', { name: /^Review: Awaiting verification/ })).toBeVisible();
      await expect(page.getByText('Submitted: a second examiner with the reviewer role will verify it from the review queue. You may not verify your own work.')).toBeVisible();
      await screenshot(page, 'review-revealed');

      // A second candidate, assessed the other way by the reviewer later: a dispute.
      await page.goto(searchUrl);
      const bidenRow = page.getByRole('table', { name: 'Candidates, in order of face (blind review)' }).getByRole('row').filter({ hasText: 'biden.jpg' });
      await expect(page.getByRole('table', { name: 'Candidates, in order of face (blind review)' }).getByRole('row').filter({ hasText: 'obama2.jpg' })).toContainText('Awaiting verification');
      await bidenRow.getByRole('button', { name: /^Examine/ }).click();
      await assess(page, 'Your assessment', 'Limited support for the same person', 'Similar face shape and hair line; the eyes and nose are hard to judge at this size.');
      await page.getByRole('button', { name: 'Save assessment' }).click();
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await expect(page.getByRole('heading', { name: /^Review: Awaiting verification/ })).toBeVisible();

      // The reviewer takes the next item; she sees neither the score nor the first assessment.
      await switchTo(page, RITA);
      await page.getByRole('button', { name: 'Take the next item' }).click();
      await expect(page.getByRole('heading', { name: /^Examine side by side: comparison \d+$/ })).toBeVisible();
      await expect(page.getByText(/^Blind: the score/)).toBeVisible();
      await expect(page.getByText('1 earlier assessment is withheld so that your assessment is independent.')).toBeVisible();
      await expect(page.getByRole('region', { name: 'Record' })).toHaveCount(0);
      await assess(page, 'Your verification (independent)', 'Moderate support for the same person', 'Independent comparison: the brows, nose and mouth correspond; no unexplained difference.');
      await screenshot(page, 'review-verifying-blind');
      await page.getByRole('button', { name: 'Save verification' }).click();
      await expect(page.getByRole('heading', { name: 'Review: Verified · lead' })).toBeVisible();
      await caseScreen(page, 'Overview');
      await page.getByRole('button', { name: 'Take the next item' }).click();
      await assess(page, 'Your verification (independent)', 'Moderate support for different persons', 'The nose bridge and the eye shape differ beyond what the image quality explains.');
      await page.getByRole('button', { name: 'Save verification' }).click();
      await expect(page.getByRole('heading', { name: 'Review: Disputed' })).toBeVisible();

      // A supervisor who took no part resolves the dispute, seeing both assessments.
      await switchTo(page, SUE);
      await page.getByRole('region', { name: /Disputes/ }).getByRole('link').first().click();
      const both = page.getByRole('region', { name: 'Record' });
      await expect(both.getByRole('article', { name: 'Examination by ann' })).toBeVisible();
      await expect(both.getByRole('article', { name: 'Verification by rita' })).toBeVisible();
      await assess(page, 'Your resolution', 'Inconclusive', 'The two examiners read the nose differently; the image resolution does not allow either reading to be preferred.');
      await page.getByRole('button', { name: 'Save resolution' }).click();
      await expect(page.getByRole('heading', { name: 'Review: Resolved' })).toBeVisible();
      await screenshot(page, 'review-resolved');

      // Every step is on the case's audit record; the record of one comparison is listed on its own.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
      const records = page.getByRole('table', { name: /audit record, newest first/ });
      const steps = async (item: string, expected: [string, string][]) => {
        await page.getByLabel('Only records about').fill(item);
        await page.getByRole('button', { name: 'Filter', exact: true }).click();
        for (const [user, action] of expected) await expect(records.getByRole('row').filter({ hasText: action }).filter({ hasText: user }).first()).toBeVisible();
        await expect(records.getByRole('row').filter({ hasNotText: item }).filter({ has: page.getByRole('cell') })).toHaveCount(0);
      };
      await steps('review-item:1', [
        ['ann', 'review.open'],
        ['ann', 'review.assess'],
        ['ann', 'review.reveal'],
        ['ann', 'review.submit'],
        ['rita', 'review.next'],
        ['rita', 'review.verify'],
      ]);
      await steps('review-item:2', [
        ['ann', 'review.assess'],
        ['rita', 'review.verify'],
        ['sue', 'review.resolve'],
      ]);
      await screenshot(page, 'review-audit');
    } finally {
      await folder.remove();
    }
  });

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
      await searchWithObama(page);
      const first = page.getByRole('table', { name: 'Candidates, in order of face (blind review)' }).getByRole('row').filter({ hasText: 'obama_and_biden.jpg' }).first();
      await first.getByRole('button', { name: /^Examine candidate in row \d+ beside the probe$/ }).click();

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
