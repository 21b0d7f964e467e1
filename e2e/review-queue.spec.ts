import path from 'node:path';
import type { Page } from '@playwright/test';
import { assessmentBody } from '../src/main/testing/review';
import { expect, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_MISSING, modelsAvailable, screenshot, test, type Loupe } from './harness';
import { addUser, CASE, caseScreen, createCase, evidenceFolder, importFinished, setUpSupervisor, signIn, signOut, startImport, SUPERVISOR } from './steps';

const ANN = { username: 'ann', displayName: 'Ann Analyst', role: 'analyst', password: 'ann correct horse battery' };
const RITA = { username: 'rita', displayName: 'Rita Reviewer', role: 'reviewer', password: 'rita correct horse battery' };
const passphraseOf = (username: string) => (username === SUPERVISOR.username ? CASE.passphrase : `${username} passphrase for the case`);

/** The signed-in user's call, through the router the page uses: sets up the comparisons the lead's comparison view would. */
async function call<T>(loupe: Loupe, channel: string, input: unknown): Promise<T> {
  const r = (await loupe.ws.call(channel, input, 'harness')) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value;
}

async function openCaseAs(page: Page, user: { username: string; password: string }) {
  await signIn(page, user.username, user.password);
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  await page.getByLabel('Your passphrase for this case').fill(passphraseOf(user.username));
  await page.getByRole('button', { name: 'Open case', exact: true }).click();
  await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
}

test.describe('review queue', () => {
  test.skip(!facesAvailable, FACES_MISSING);
  test.skip(!modelsAvailable, MODELS_MISSING);

  test('each examiner meets their own queue on the case overview; a reviewer takes the next item; a supervisor sees the dispute, changes blind mode and the scale, and follows one comparison in the audit record', async ({ page, loupe }) => {
    test.setTimeout(300_000);
    const folder = await evidenceFolder({
      'obama.jpg': path.join(FACES_DIR, 'identities', 'Barack_Obama', 'obama.jpg'),
      'biden.jpg': path.join(FACES_DIR, 'identities', 'Joe_Biden', 'biden.jpg'),
      'group.jpg': path.join(FACES_DIR, 'groups', 'face_recognition', 'obama_and_biden.jpg'),
    });
    try {
      await setUpSupervisor(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      for (const u of [ANN, RITA]) {
        await addUser(page, u);
        await expect(page.getByRole('row', { name: new RegExp(u.username) })).toBeVisible();
      }
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await createCase(page);
      for (const u of [ANN, RITA]) await call(loupe, 'cases.grantAccess', { username: u.username, passphrase: passphraseOf(u.username) });
      await caseScreen(page, 'Evidence');
      await startImport(page, [folder.dir], { exhibitRef: 'JD/1' });
      await expect(await importFinished(page)).toContainText('3 of 3');
      const { exhibits } = await call<{ exhibits: { id: number }[] }>(loupe, 'evidence.list', { offset: 0, limit: 10 });
      const [f1 = 0, f2 = 0, f3 = 0] = await Promise.all(exhibits.map(async (e) => (await call<{ faces: { id: number }[] }>(loupe, 'evidence.get', { exhibitId: e.id })).faces[0]?.id ?? 0));

      // The supervisor's overview before any comparison: the lists say what they are for; blind mode is on by default.
      await caseScreen(page, 'Overview');
      const queue = page.getByRole('region', { name: 'Review queue' });
      await expect(queue.getByRole('region', { name: 'Awaiting my assessment' })).toContainText('Nothing awaits your assessment.');
      await expect(queue.getByRole('region', { name: 'Disputes' })).toContainText('No disputes.');
      await expect(queue.getByRole('region', { name: 'Awaiting verification' })).toHaveCount(0);
      const blind = page.getByRole('region', { name: 'Blind mode' });
      await expect(blind).toContainText('On');
      await expect(blind).toContainText('Nobody: on by default for every case');

      await blind.getByRole('button', { name: 'Turn off…' }).click();
      const off = page.getByRole('dialog', { name: 'Turn blind mode off' });
      await off.getByRole('button', { name: 'Turn off' }).click();
      await expect(off.getByText('Give a reason (at least 10 characters)')).toBeVisible();
      await off.getByLabel('Reason').fill('Training case: trainees see the scores from the start');
      await off.getByRole('button', { name: 'Turn off' }).click();
      await expect(off).toBeHidden();
      await expect(blind.getByRole('status')).toHaveText('Blind mode is off for this case.');
      await expect(blind).toContainText('Training case: trainees see the scores from the start');
      await blind.getByRole('button', { name: 'Turn on…' }).click();
      const on = page.getByRole('dialog', { name: 'Turn blind mode on' });
      await on.getByLabel('Reason').fill('Casework again: examiners assess blind');
      await on.getByRole('button', { name: 'Turn on' }).click();
      await expect(blind.getByRole('status')).toHaveText('Blind mode is on for this case.');
      await expect(blind.getByRole('definition').filter({ hasText: 'sam' })).toBeVisible();
      await expect(blind).toContainText('Casework again: examiners assess blind');
      await screenshot(page, 'review-queue-supervisor-blind-mode');
      await signOut(page);

      // The analyst examines two comparisons and submits them, and opens a third she has not assessed yet.
      await openCaseAs(page, ANN);
      const a = (await call<{ item: { id: number } }>(loupe, 'review.open', { leftFaceId: f1, rightFaceId: f2, origin: { kind: 'pair' } })).item.id;
      const b = (await call<{ item: { id: number } }>(loupe, 'review.open', { leftFaceId: f2, rightFaceId: f1, origin: { kind: 'pair' } })).item.id;
      for (const [item, level] of [
        [a, 'strong_same'],
        [b, 'strong_different'],
      ] as const) {
        await call(loupe, 'review.assess', { itemId: item, body: assessmentBody(level) });
        await call(loupe, 'review.submit', { itemId: item });
      }
      const c = (await call<{ item: { id: number } }>(loupe, 'review.open', { leftFaceId: f1, rightFaceId: f3, origin: { kind: 'pair' } })).item.id;
      await caseScreen(page, 'Evidence');
      await caseScreen(page, 'Overview');
      const mine = queue.getByRole('region', { name: 'Awaiting my assessment' });
      await expect(mine.getByRole('link')).toHaveCount(1);
      await expect(mine.getByRole('link', { name: new RegExp(`^Comparison ${c}: face ${f1} with face ${f3}, Not examined`) })).toHaveAttribute('href', `#/review?item=${c}`);
      await expect(queue.getByRole('region', { name: 'Awaiting verification' })).toHaveCount(0);
      await expect(queue.getByRole('region', { name: 'Disputes' })).toHaveCount(0);
      await expect(blind.getByRole('button')).toHaveCount(0);
      await expect(blind).toContainText('Only a supervisor changes this setting, with a reason.');
      await screenshot(page, 'review-queue-analyst');
      await signOut(page);

      // The reviewer sees how many await verification, not whose, and takes the oldest.
      await openCaseAs(page, RITA);
      const verify = queue.getByRole('region', { name: 'Awaiting verification' });
      await expect(verify).toContainText('2 comparisons submitted by other examiners await verification');
      await expect(verify.getByRole('link')).toHaveCount(0);
      await expect(queue.getByRole('region', { name: 'Awaiting my assessment' })).toContainText('Nothing awaits your assessment.');
      await screenshot(page, 'review-queue-reviewer');
      await verify.getByRole('button', { name: 'Take the next item' }).click();
      await expect(page).toHaveURL(new RegExp(`#/review\\?item=${a}$`));
      await call(loupe, 'review.verify', { itemId: a, body: assessmentBody('moderate_different') });
      await caseScreen(page, 'Overview');
      await expect(verify).toContainText('1 comparison submitted by other examiners await');
      await signOut(page);

      // The supervisor, who took no part, finds the disagreement among the disputes.
      await openCaseAs(page, SUPERVISOR);
      const disputes = queue.getByRole('region', { name: 'Disputes' });
      await expect(disputes.getByRole('link', { name: new RegExp(`^Comparison ${a}: face ${f1} with face ${f2}, Disputed`) })).toHaveAttribute('href', `#/review?item=${a}`);
      await screenshot(page, 'review-queue-disputes');

      // The audit record of that one comparison, from examination to the dispute.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
      await page.getByLabel('Only records about').fill(`review-item:${a}`);
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`object=review-item%3A${a}`));
      const rows = page.getByRole('table', { name: 'Case audit record, newest first' }).getByRole('row').filter({ has: page.getByRole('cell') });
      await expect(rows.first()).toContainText('review.verify');
      const steps = await Promise.all((await rows.all()).map(async (r) => `${await r.getByRole('cell').nth(2).textContent()} ${await r.getByRole('cell').nth(3).textContent()} ${await r.getByRole('cell').nth(4).textContent()}`));
      expect(steps.every((s) => s.endsWith(` review-item:${a}`))).toBe(true);
      // Oldest first, these steps in this order (opening the comparison view may add reads between them).
      const story = ['ann review.open', 'ann review.assess', 'ann review.submit', 'rita review.next', 'rita review.verify'];
      const told = steps.reverse().map((s) => s.replace(` review-item:${a}`, '')).filter((s) => story.includes(s));
      expect(told).toEqual(story);
      await expect(page.getByText(`about review-item:${a}`)).toBeVisible();
      await screenshot(page, 'audit-one-comparison');
      await page.getByRole('button', { name: 'Show all records' }).click();
      await expect(page.getByLabel('Only records about')).toHaveValue('');
      await expect(page.getByText(/^Records 1–50 of \d+$/)).toBeVisible();
      await expect(page.getByRole('table', { name: 'Case audit record, newest first' }).getByRole('cell', { name: 'review.queue' }).first()).toBeVisible();

      // The conclusion scale: version 1 in force; the supervisor declares version 2 with a reason.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conclusion scale' }).click();
      const inForce = page.getByRole('region', { name: /^In force/ });
      await expect(inForce.getByRole('heading')).toHaveText('In force: loupe-7 version 1');
      await expect(inForce.getByRole('row', { name: /Inconclusive/ })).toContainText('Neither (inconclusive)');
      const declare = page.getByRole('region', { name: 'Declare version 2' });
      await declare.getByLabel('Level 4: label').fill('Inconclusive: no support either way');
      await declare.getByRole('button', { name: 'Declare version 2' }).click();
      await expect(declare.getByText('Give a reason (at least 10 characters)')).toBeVisible();
      await declare.getByLabel('Reason').fill('Unit policy: name the middle level as the report does');
      await declare.getByRole('button', { name: 'Declare version 2' }).click();
      await expect(page.getByRole('status')).toContainText('Version 2 of the conclusion scale is in force.');
      await expect(inForce.getByRole('heading')).toHaveText('In force: loupe-7 version 2');
      await expect(inForce.getByRole('rowheader', { name: 'Inconclusive: no support either way' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Declare version 3' })).toBeVisible();
      await screenshot(page, 'conclusion-scale');
      await signOut(page);

      // Others read the scale and cannot declare one.
      await signIn(page, RITA.username, RITA.password);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conclusion scale' }).click();
      await expect(page.getByRole('region', { name: /^In force/ }).getByRole('heading')).toHaveText('In force: loupe-7 version 2');
      await expect(page.getByText('Only a supervisor declares a new version of the scale, with a reason.')).toBeVisible();
      await expect(page.getByRole('button', { name: /^Declare/ })).toHaveCount(0);
    } finally {
      await folder.remove();
    }
  });
});
