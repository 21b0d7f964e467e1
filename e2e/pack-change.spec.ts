import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, screenshot, test } from './harness';
import { caseScreen, createCase, evidenceFolder, importFinished, setUpSupervisor, startImport } from './steps';

const hasPack = (name: string) => existsSync(path.join(MODELS_DIR, name, 'manifest.json'));

test.describe("changing a case's model pack", () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!hasPack('yunet') || !hasPack('default'), `the yunet and default packs are not both installed in ${MODELS_DIR} (run .ci/run, or set LOUPE_MODELS): skipped`);

  test('a supervisor moves the case to another installed pack with a reason, sees its faces encoded again, and the change on the record', async ({ page }) => {
    test.setTimeout(150_000);
    // Enough faces (about thirty) for the change's progress to be seen before it is done.
    const people = ['Angelina_Jolie', 'Barack_Obama', 'Jennifer_Aniston', 'Katy_Perry'];
    const photos = await evidenceFolder(Object.fromEntries(people.flatMap((p) => readdirSync(path.join(FACES_DIR, 'identities', p)).map((f) => [`${p}-${f}`, path.join(FACES_DIR, 'identities', p, f)]))));
    try {
      await setUpSupervisor(page);
      await createCase(page);
      const panel = page.getByRole('region', { name: 'Model pack' });
      const from = (await panel.locator('strong').first().innerText()).split(' ')[0]!;
      const to = from === 'yunet' ? 'default' : 'yunet';
      await caseScreen(page, 'Evidence');
      await startImport(page, [photos.dir]);
      await importFinished(page);
      await caseScreen(page, 'Overview');

      await panel.getByRole('button', { name: 'Change model pack…' }).click();
      const dialog = page.getByRole('dialog', { name: "Change the case's model pack" });
      // Nothing chosen, no reason: refused beside the fields before anything is sent.
      await dialog.getByRole('button', { name: 'Change pack' }).click();
      await expect(dialog.getByLabel('Pack')).toHaveAttribute('aria-invalid', 'true');
      await expect(dialog.getByLabel('Reason')).toHaveAttribute('aria-invalid', 'true');
      await dialog.getByLabel('Pack').selectOption(to);
      await dialog.getByLabel('Reason').fill(`The ${to} pack is the one the unit validated for this footage`);
      await screenshot(page, 'case-pack-change-dialog');
      await dialog.getByRole('button', { name: 'Change pack' }).click();
      // Under way: the faces encoded so far, and the pack searches use meanwhile.
      const progress = panel.getByRole('status').filter({ hasText: `Encoding the case's faces again with ${to}` });
      await expect(progress).toBeVisible();
      await expect(progress.getByRole('progressbar', { name: 'Faces encoded again' })).toBeVisible();
      await screenshot(page, 'case-pack-change-progress');

      await expect(panel.getByRole('status').filter({ hasText: `Every face of the case was encoded again with ${to}` })).toBeVisible({ timeout: 60_000 });
      await expect(panel).toContainText(new RegExp(`${to} \\d+\\.\\d+\\.\\d+ finds, aligns and encodes this case's faces`));
      await expect(panel).toContainText('Changed by a supervisor');
      await expect(panel).toContainText(`The ${to} pack is the one the unit validated for this footage`);
      const changes = panel.getByRole('table', { name: /Changes of the pack/ });
      await expect(changes.getByRole('row').nth(1)).toContainText(new RegExp(`${from} .*${to} .*Done`));
      await screenshot(page, 'case-pack-changed');
    } finally {
      await photos.remove();
    }
  });
});
