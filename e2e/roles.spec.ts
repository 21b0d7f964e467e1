import { expect, screenshot, test } from './harness';
import { addUser, CASE, fillCase, setUpSupervisor, signIn, signOut, SUPERVISOR } from './steps';

const AUDITOR = { username: 'audrey', displayName: 'Audrey Auditor', role: 'auditor', password: 'auditor password 1' };
const ANALYST = { username: 'ann', displayName: 'Ann Analyst', role: 'analyst', password: 'analyst password 1' };
const ANN_PASSPHRASE = 'ann case passphrase';

test('a supervisor adds and disables users; bad input is refused beside the field', async ({ page }) => {
  await setUpSupervisor(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  const form = page.getByRole('region', { name: 'Add a user' });

  // Malformed: checked against the channel's schema before anything is sent.
  await addUser(page, { ...ANALYST, username: 'Bad Name!' });
  await expect(form.getByLabel('User name')).toHaveAccessibleDescription(/User name may use lower-case letters, digits, dot, dash and underscore/);
  await expect(form.getByLabel('User name')).toBeFocused();

  await addUser(page, AUDITOR);
  await expect(page.getByRole('status')).toHaveText('Audrey Auditor (audrey) was added as auditor.');
  await expect(page.getByRole('row', { name: /audrey/ })).toContainText('Auditor');

  // A conflict only main can know of comes back naming the field, and is shown there.
  await addUser(page, AUDITOR);
  await expect(form.getByLabel('User name')).toHaveAccessibleDescription(/A user called audrey already exists\.$/);

  await addUser(page, ANALYST);
  await expect(page.getByRole('row', { name: /ann/ })).toContainText('Active');
  await page.getByRole('button', { name: 'Disable ann' }).click();
  await expect(page.getByRole('row', { name: /ann/ })).toContainText('Disabled');
  await expect(page.getByRole('status')).toHaveText('ann is disabled and can no longer sign in.');
  await expect(page.getByRole('button', { name: 'Disable sam' })).toHaveCount(0);
  await screenshot(page, 'users');

  await signOut(page);
  await signIn(page, ANALYST.username, ANALYST.password);
  await expect(page.getByRole('alert')).toHaveText('This account is disabled. Ask a supervisor.');
});

test('ten wrong passwords lock an account; a supervisor sees the lock and unlocks it', async ({ page, loupe }) => {
  await setUpSupervisor(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await addUser(page, ANALYST);
  await expect(page.getByRole('row', { name: /ann/ })).toBeVisible();
  await signOut(page);

  // Nine wrong passwords straight to the router, each after its wait (the clock is moved, not slept through)...
  for (let i = 0; i < 9; i++) {
    loupe.later(3600);
    expect(await loupe.ws.call('session.signIn', { username: ANALYST.username, password: 'not her password' }, 'harness')).toMatchObject({ ok: false });
  }
  // ...and the tenth through the sign-in screen, which says the account is locked and who can unlock it.
  loupe.later(3600);
  await signIn(page, ANALYST.username, 'not her password');
  const locked = 'This account is locked after 10 wrong passwords in a row. A supervisor can unlock it on the Users screen (or with loupe user unlock).';
  await expect(page.getByRole('alert')).toHaveText(locked);

  await signIn(page, SUPERVISOR.username, SUPERVISOR.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const row = page.getByRole('row', { name: /ann/ });
  await expect(row).toContainText('Locked');
  await screenshot(page, 'users-locked');
  await page.getByRole('button', { name: 'Unlock ann' }).click();
  await expect(page.getByRole('status')).toHaveText('ann is unlocked and may sign in again.');
  await expect(row).toContainText('Active');
  await expect(page.getByRole('button', { name: 'Unlock ann' })).toHaveCount(0);
  await signOut(page);

  await signIn(page, ANALYST.username, ANALYST.password);
  await expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible();
});

test('an auditor reads the workstation record but cannot create a case or manage users', async ({ page, loupe }) => {
  await setUpSupervisor(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await addUser(page, AUDITOR);
  await expect(page.getByRole('row', { name: /audrey/ })).toBeVisible();
  await signOut(page);

  await signIn(page, AUDITOR.username, AUDITOR.password);
  await expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible();
  const banner = page.getByRole('banner');
  await expect(banner).toContainText('Audrey Auditor (audrey)');
  await expect(banner).toContainText('Auditor');
  await expect(page.getByRole('link', { name: 'New case' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);

  // Going there anyway is refused with the contract's own words.
  await page.goto(`${loupe.url}#/cases/new`);
  await expect(page.getByRole('alert')).toHaveText('Your role (Auditor) may not do this: create an encrypted case and open it.');
  await expect(page.getByLabel('Case reference')).toHaveCount(0);
  await page.goto(`${loupe.url}#/users`);
  await expect(page.getByRole('alert')).toHaveText('Your role (Auditor) may not do this: list workstation users.');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('button', { name: 'Workstation' })).toHaveAttribute('aria-pressed', 'true');
  const records = page.getByRole('table', { name: 'Workstation audit record, newest first' });
  await expect(records.getByRole('row').filter({ hasText: 'users.add' }).filter({ hasText: 'audrey' })).toHaveCount(1);
  await expect(records.getByRole('row').filter({ hasText: 'session.signIn' }).filter({ hasText: 'audrey' }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Chain intact' })).toBeVisible();
});

test('a supervisor grants an analyst access to a case with a passphrase of their own, then revokes it', async ({ page }) => {
  await setUpSupervisor(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await addUser(page, ANALYST);
  await expect(page.getByRole('row', { name: /ann/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
  await page.getByRole('link', { name: 'New case' }).click();
  await fillCase(page, CASE);
  await page.getByRole('button', { name: 'Create case' }).click();
  const members = page.getByRole('region', { name: 'Members' });
  await expect(members).toBeVisible();

  await members.getByRole('button', { name: 'Grant access…' }).click();
  const grant = page.getByRole('dialog', { name: `Grant access to ${CASE.reference}` });
  await grant.getByLabel('User').selectOption('ann');
  await grant.getByLabel('Passphrase for the new member').fill(ANN_PASSPHRASE);
  await grant.getByLabel('Confirm passphrase').fill(ANN_PASSPHRASE);
  await grant.getByRole('button', { name: 'Grant access' }).click();
  await expect(grant).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('ann now holds a key to this case.');
  await expect(members.getByRole('rowheader', { name: 'ann' })).toBeVisible();
  await signOut(page);

  await signIn(page, ANALYST.username, ANALYST.password);
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  await page.getByLabel('Your passphrase for this case').fill(ANN_PASSPHRASE);
  await page.getByRole('button', { name: 'Open case', exact: true }).click();
  await expect(page.getByRole('heading', { name: `${CASE.reference} · ${CASE.title}` })).toBeVisible();
  await expect(members.getByRole('button', { name: 'Grant access…' })).toHaveCount(0);
  await signOut(page);

  await signIn(page, SUPERVISOR.username, SUPERVISOR.password);
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  await page.getByLabel('Your passphrase for this case').fill(CASE.passphrase);
  await page.getByRole('button', { name: 'Open case', exact: true }).click();
  await members.getByRole('button', { name: 'Revoke access for ann' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke access for ann' });
  await expect(revoke.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await revoke.getByRole('button', { name: 'Revoke access' }).click();
  await expect(revoke).toBeHidden();
  await expect(members.getByRole('rowheader', { name: 'ann' })).toHaveCount(0);
  await signOut(page);

  await signIn(page, ANALYST.username, ANALYST.password);
  const row = page.getByRole('row', { name: new RegExp(CASE.reference) });
  await expect(row).toContainText('No access');
  await expect(row.getByRole('button')).toHaveCount(0);
});

test('an auditor with access to a case reads its evidence, searches and persons but is offered no way to change them', async ({ page }) => {
  const AUDREY_PASSPHRASE = 'audrey case passphrase';
  await setUpSupervisor(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await addUser(page, AUDITOR);
  await expect(page.getByRole('row', { name: /audrey/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
  await page.getByRole('link', { name: 'New case' }).click();
  await fillCase(page, CASE);
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByRole('region', { name: 'Members' }).getByRole('button', { name: 'Grant access…' }).click();
  const grant = page.getByRole('dialog', { name: `Grant access to ${CASE.reference}` });
  await grant.getByLabel('User').selectOption('audrey');
  await grant.getByLabel('Passphrase for the new member').fill(AUDREY_PASSPHRASE);
  await grant.getByLabel('Confirm passphrase').fill(AUDREY_PASSPHRASE);
  await grant.getByRole('button', { name: 'Grant access' }).click();
  await expect(grant).toBeHidden();
  await signOut(page);

  await signIn(page, AUDITOR.username, AUDITOR.password);
  await page.getByRole('button', { name: `Open case ${CASE.reference}` }).click();
  await page.getByLabel('Your passphrase for this case').fill(AUDREY_PASSPHRASE);
  await page.getByRole('button', { name: 'Open case', exact: true }).click();
  const caseBar = page.getByRole('navigation', { name: 'Case' });
  await caseBar.getByRole('link', { name: 'Evidence' }).click();
  await expect(page.getByRole('heading', { name: 'Evidence', level: 1 })).toBeVisible();
  await expect(page.getByText('No exhibits yet.', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Import evidence' })).toHaveCount(0);
  await caseBar.getByRole('link', { name: 'Search' }).click();
  await expect(page.getByRole('alert')).toHaveText('Your role (Auditor) may not do this: search a probe face against the case and/or watch lists (1:N); candidates are leads, not identifications.');
  await expect(page.getByRole('region', { name: 'Searches in this case' })).toContainText('No searches yet.');
  await caseBar.getByRole('link', { name: 'Compare 1:1' }).click();
  await expect(page.getByRole('alert')).toContainText('Your role (Auditor) may not do this: compare two faces (1:1)');
  await caseBar.getByRole('link', { name: 'Watch lists' }).click();
  await expect(page.getByText('No watch lists in this case.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'New watch list' })).toHaveCount(0);
  await caseBar.getByRole('link', { name: 'Persons' }).click();
  await expect(page.getByText('The faces of this case have not been grouped yet.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Group faces' })).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model packs' }).click();
  await expect(page.getByRole('heading', { name: 'Model packs', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Install a model pack' })).toHaveCount(0);
});
