import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test } from './harness';
import { addUser, ANN, assess, CASE, caseScreen, createCase, evidenceFolder, grant, importFinished, RITA, searchWithObama, setUpSupervisor, startImport, switchTo } from './steps';

const faces = (...p: string[]) => path.join(FACES_DIR, ...p);

test.describe('case report', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('a verified lead is in the report on screen; the PDF is exported, verifies against the case, and a tampered copy does not', async ({ page }, info) => {
    test.setTimeout(300_000);
    const labelled = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-report-validation-'));
    const folder = await evidenceFolder({
      'obama.jpg': faces('identities', 'Barack_Obama', 'obama.jpg'),
      'obama2.jpg': faces('identities', 'Barack_Obama', 'obama2.jpg'),
      'biden.jpg': faces('identities', 'Joe_Biden', 'biden.jpg'),
    });
    try {
      await setUpSupervisor(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      for (const u of [ANN, RITA]) {
        await addUser(page, u);
        await expect(page.getByRole('row', { name: new RegExp(u.username) })).toBeVisible();
      }
      // A validation of the pack on three people's labelled photos, for the report to attach.
      for (const p of ['Barack_Obama', 'Joe_Biden', 'Kit_Harington']) await cp(faces('identities', p), path.join(labelled, p), { recursive: true });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model packs' }).click();
      await page.getByRole('link', { name: 'Open the Validation screen' }).click();
      const run = page.getByRole('region', { name: 'Validate a model pack' });
      await run.getByLabel('Labelled photo folders').fill(labelled);
      await run.getByLabel('Data set').fill('Three press photo people, for the report');
      await run.getByRole('button', { name: 'Run validation' }).click();
      await expect(page.getByRole('region', { name: /^Validation of / })).toBeVisible({ timeout: 180_000 });

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await createCase(page);
      for (const u of [ANN, RITA]) await grant(page, u.username);
      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir], { exhibitRef: 'JD/1' });
      await expect(await importFinished(page)).toContainText('3 of 3');

      // The analyst examines one candidate and submits it; the reviewer verifies it: a lead.
      await switchTo(page, ANN);
      await caseScreen(page, 'Evidence');
      await searchWithObama(page);
      const list = page.getByRole('table', { name: 'Candidates, in order of face (blind review)' });
      await list.getByRole('row').filter({ hasText: 'obama2.jpg' }).getByRole('button', { name: /^Examine/ }).click();
      await assess(page, 'Your assessment', 'Strong support for the same person', 'Eyebrows, nose, mouth and ear shape agree; the smaller face limits the detail but shows no difference.');
      await page.getByRole('button', { name: 'Save assessment' }).click();
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await expect(page.getByRole('heading', { name: /^Review: Awaiting verification/ })).toBeVisible();
      await switchTo(page, RITA);
      await page.getByRole('button', { name: 'Take the next item' }).click();
      await assess(page, 'Your verification (independent)', 'Moderate support for the same person', 'Independent comparison: the brows, nose and mouth correspond; no unexplained difference.');
      await page.getByRole('button', { name: 'Save verification' }).click();
      await expect(page.getByRole('heading', { name: 'Review: Verified · lead' })).toBeVisible();

      // The report on screen: the lead with its records, the unexamined candidates only counted.
      await caseScreen(page, 'Report');
      await expect(page.getByRole('heading', { name: 'Report', exact: true })).toBeVisible();
      const report = page.getByRole('article', { name: 'Case report' });
      await expect(report.getByRole('heading', { name: `Face comparison report: case ${CASE.reference}` })).toBeVisible({ timeout: 60_000 });
      await expect(page.getByText(/1 comparison\(s\) examined; 1 candidate\(s\) not examined, and so not presented as results/)).toBeVisible();
      await expect(report.getByRole('heading', { name: 'Comparison 1: Verified (a lead)' })).toBeVisible();
      await expect(report.getByRole('heading', { name: /^Verification \d+ by rita \(reviewer\)/ })).toBeVisible();
      for (const text of [CASE.legalBasis, CASE.authorisedBy, 'Find the man in the suit seen at the robbery scene', 'Strong support for the same person', 'NISTIR 8280', 'An investigative lead, not an identification']) {
        await expect(report.getByText(text).first()).toBeVisible();
      }
      await expect(report.getByRole('img', { name: /^Candidate: face \d+, aligned as the model saw it$/ })).toBeVisible();
      await screenshot(page, 'report-screen');

      // Exported as a PDF; its hash is on the record, and the file verifies against the case.
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export PDF' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^loupe-report-OP-E2E_001-\d+\.pdf$/);
      await expect(page.getByText(/^Exported loupe-report-OP-E2E_001-\d+\.pdf \([\d,]+ bytes\)\. Its SHA-256, [0-9a-f]{64}, and what it covers are recorded/)).toBeVisible();
      const pdf = await readFile(await download.path());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const saved = info.outputPath(download.suggestedFilename());
      await writeFile(saved, pdf);
      await page.getByLabel('Check a report file against this case').setInputFiles(saved);
      // Verifying renders the report again from the covered records: slow on a loaded machine.
      await expect(page.getByText(`${download.suggestedFilename()} verifies against this case.`)).toBeVisible({ timeout: 90_000 });
      await expect(page.getByText(/reproduced byte for byte/)).toBeVisible();

      const tampered = info.outputPath('tampered.pdf');
      pdf.writeUInt8(pdf.readUInt8(pdf.length - 200) ^ 0x20, pdf.length - 200);
      await writeFile(tampered, pdf);
      await page.getByLabel('Check a report file against this case').setInputFiles(tampered);
      await expect(page.getByText('tampered.pdf does not verify against this case.')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByText(/No record of this case's audit chain names this file's SHA-256/)).toBeVisible();
      await screenshot(page, 'report-verified');

      // A validation record of the case's pack is offered, not ticked; ticked, the report gains its section and DET curve.
      const attach = page.getByRole('group', { name: 'Attach validation records' });
      const box = attach.getByRole('checkbox', { name: /^Three press photo people, for the report \(3 people; run .* by sam\)$/ });
      await expect(box).not.toBeChecked();
      await expect(report.getByRole('heading', { name: /^Local validation / })).toHaveCount(0);
      await box.check();
      const section = report.getByRole('heading', { name: /^Local validation [A-Za-z0-9_-]+$/ });
      await expect(section).toBeVisible({ timeout: 60_000 });
      await expect(report.getByText('Three press photo people, for the report').first()).toBeVisible();
      const det = report.getByRole('img', { name: /^False non-match rate against false match rate/ });
      await expect(det).toBeVisible();
      expect(await det.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      await section.scrollIntoViewIfNeeded();
      await screenshot(page, 'report-validation');
      const withValidation = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export PDF' }).click();
      await withValidation;
      await expect(page.getByText(/^Exported loupe-report-OP-E2E_001-\d+\.pdf \([\d,]+ bytes, with 1 validation record\(s\) attached\)/)).toBeVisible();
    } finally {
      await folder.remove();
      await rm(labelled, { recursive: true, force: true });
    }
  });
});
