import type { Page } from '@playwright/test';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from './harness';

/** What a user types, kept in one place so specs read as the steps a person takes. */
export const SUPERVISOR = { username: 'sam', displayName: 'Sam Supervisor', password: 'correct horse battery' };
export const CASE = {
  reference: 'OP-E2E/001',
  title: 'Street robbery, High Street',
  offenceCategory: 'robbery',
  purpose: 'Identify the suspect of a street robbery from CCTV footage',
  legalBasis: 'Police and Criminal Evidence Act 1984',
  authorisedBy: 'DI Jane Example',
  retentionDate: '2033-01-01',
  passphrase: 'staple battery horse correct',
};

export async function setUpSupervisor(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Set up this workstation' })).toBeVisible();
  await page.getByLabel('User name').fill(SUPERVISOR.username);
  await page.getByLabel('Display name').fill(SUPERVISOR.displayName);
  await page.getByLabel('Password', { exact: true }).fill(SUPERVISOR.password);
  await page.getByLabel('Confirm password').fill(SUPERVISOR.password);
  await page.getByRole('button', { name: 'Create supervisor' }).click();
  await expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible();
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

export async function fillCase(page: Page, c: typeof CASE): Promise<void> {
  await page.getByLabel('Case reference').fill(c.reference);
  await page.getByLabel('Offence category').selectOption(c.offenceCategory);
  await page.getByLabel('Title').fill(c.title);
  await page.getByLabel('Purpose').fill(c.purpose);
  await page.getByLabel('Legal basis').fill(c.legalBasis);
  await page.getByLabel('Authorised by').fill(c.authorisedBy);
  await page.getByLabel('Retain until').fill(c.retentionDate);
  await page.getByLabel('Passphrase', { exact: true }).fill(c.passphrase);
  await page.getByLabel('Confirm passphrase').fill(c.passphrase);
}

export async function addUser(page: Page, user: { username: string; displayName: string; role: string; password: string }): Promise<void> {
  const form = page.getByRole('region', { name: 'Add a user' });
  await form.getByLabel('User name').fill(user.username);
  await form.getByLabel('Display name').fill(user.displayName);
  await form.getByLabel('Role').selectOption(user.role);
  await form.getByLabel('Initial password').fill(user.password);
  await form.getByLabel('Confirm password').fill(user.password);
  await form.getByRole('button', { name: 'Add user' }).click();
}

export async function createCase(page: Page, c: typeof CASE = CASE): Promise<void> {
  await page.getByRole('link', { name: 'New case' }).click();
  await fillCase(page, c);
  await page.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByRole('heading', { name: `${c.reference} · ${c.title}` })).toBeVisible();
}

/** Goes to a screen of the open case by its bar. */
export async function caseScreen(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Case' }).getByRole('link', { name: label, exact: true }).click();
}

/** Fills the import form and starts the import; the caller waits for what it needs to see. */
export async function startImport(page: Page, paths: string[], opts: { exhibitRef?: string; framesPerSecond?: string } = {}): Promise<void> {
  const form = page.getByRole('region', { name: 'Import evidence' });
  await form.getByLabel('Files and folders').fill(paths.join('\n'));
  if (opts.exhibitRef) await form.getByLabel('Exhibit reference').fill(opts.exhibitRef);
  if (opts.framesPerSecond) await form.getByLabel('Video frames per second').fill(opts.framesPerSecond);
  await form.getByRole('button', { name: 'Import', exact: true }).click();
}

/** The progress panel once the import has finished: the caller reads its counts. */
export async function importFinished(page: Page) {
  const panel = page.getByRole('region', { name: 'Import finished' });
  await expect(panel).toBeVisible({ timeout: 90_000 });
  return panel;
}

/** A temporary folder of copies, so a spec never touches the shared originals and can add files of its own. */
export async function evidenceFolder(copies: Record<string, string>, texts: Record<string, string> = {}): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-evidence-'));
  for (const [name, from] of Object.entries(copies)) await copyFile(from, path.join(dir, name));
  for (const [name, text] of Object.entries(texts)) await writeFile(path.join(dir, name), text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A supervisor turns the open case's blind review off from its overview, with the reason the record asks for. */
export async function blindModeOff(page: Page, reason = 'This test reads the scores of the candidate list'): Promise<void> {
  await caseScreen(page, 'Overview');
  await page.getByRole('region', { name: 'Blind mode' }).getByRole('button', { name: 'Turn off…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Turn blind mode off' });
  await dialog.getByLabel('Reason').fill(reason);
  await dialog.getByRole('button', { name: 'Turn off' }).click();
  await expect(dialog).toBeHidden();
}

/** Examiners of the review specs, each with their own passphrase for the case. */
const PASSWORD = 'correct horse battery';
export const ANN = { username: 'ann', displayName: 'Ann Analyst', role: 'analyst', password: PASSWORD };
export const RITA = { username: 'rita', displayName: 'Rita Reviewer', role: 'reviewer', password: PASSWORD };
export const SUE = { username: 'sue', displayName: 'Sue Supervisor', role: 'supervisor', password: PASSWORD };
export const passphraseOf = (username: string) => `${username} passphrase for the case`;

export async function grant(page: Page, username: string): Promise<void> {
  await page.getByRole('region', { name: 'Members' }).getByRole('button', { name: 'Grant access…' }).click();
  const dialog = page.getByRole('dialog', { name: `Grant access to ${CASE.reference}` });
  await dialog.getByLabel('User').selectOption(username);
  await dialog.getByLabel('Passphrase for the new member').fill(passphraseOf(username));
  await dialog.getByLabel('Confirm passphrase').fill(passphraseOf(username));
  await dialog.getByRole('button', { name: 'Grant access' }).click();
  await expect(dialog).toBeHidden();
}

export async function switchTo(page: Page, user: { username: string; password: string }, passphrase = passphraseOf(user.username)): Promise<void> {
  await signOut(page);
  await signIn(page, user.username, user.password);
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  await page.getByLabel('Your passphrase for this case').fill(passphrase);
  await page.getByRole('button', { name: 'Open case', exact: true }).click();
  await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
}

/** From the evidence list: the best face of obama.jpg searched against the case, with no threshold. */
export async function searchWithObama(page: Page): Promise<void> {
  await page.getByRole('list', { name: 'Exhibits' }).getByRole('link', { name: /obama\.jpg/ }).first().click();
  await page.getByRole('table', { name: 'Faces in this exhibit, best quality first' }).getByRole('row').nth(1).getByRole('button').click();
  await page.getByRole('link', { name: 'Search with this face' }).click();
  await page.getByLabel('Purpose').fill('Find the man in the suit seen at the robbery scene');
  await page.getByLabel('Threshold (false match rate)').selectOption('none');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

/** Fills the ACE-V form in its order: analysis of both images, every feature, then the conclusion and its reasons. */
export async function assess(page: Page, form: string, conclusion: string, rationale: string): Promise<void> {
  const panel = page.getByRole('region', { name: form });
  await panel.getByRole('radiogroup', { name: 'Left image (probe): suitability' }).getByRole('radio', { name: 'Suitable', exact: true }).check();
  await panel.getByRole('radiogroup', { name: 'Right image (candidate): suitability' }).getByRole('radio', { name: 'Limited', exact: true }).check();
  await panel.getByRole('group', { name: 'Right image (candidate): limiting factors' }).getByLabel('Resolution').check();
  await panel.getByLabel('Right image (candidate): note').fill('Smaller face in a group photograph');
  const similar = panel.getByRole('radio', { name: /: Similar$/ });
  for (let i = 0; i < (await similar.count()); i++) await similar.nth(i).check();
  await panel.getByLabel('Ears: Not visible').check();
  await panel.getByLabel('Conclusion', { exact: false }).selectOption({ label: conclusion });
  await panel.getByLabel('Rationale').fill(rationale);
}
