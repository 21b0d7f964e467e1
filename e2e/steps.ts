import type { Page } from '@playwright/test';
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
