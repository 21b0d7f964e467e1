import { expect, test } from './harness';
import { SUPERVISOR } from './steps';

test('works from the keyboard alone: focus starts where the work is, dialogs trap focus and close with Escape', async ({ page }) => {
  // First run by keyboard: the first field has focus, Tab walks the form, Enter submits.
  await expect(page.getByLabel('User name')).toBeFocused();
  await page.keyboard.type(SUPERVISOR.username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Display name')).toBeFocused();
  await page.keyboard.type(SUPERVISOR.displayName);
  await page.keyboard.press('Tab');
  await page.keyboard.type(SUPERVISOR.password);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Confirm password')).toBeFocused();
  await page.keyboard.type(SUPERVISOR.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Cases', level: 1 })).toBeFocused();

  // The skip link, first in the page, shows when focused and lands on the content.
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await skip.focus();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();

  const opener = page.getByRole('button', { name: 'Change password…' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Change your password' });
  await expect(dialog).toBeVisible();
  const first = dialog.getByLabel('Current password');
  await expect(first).toBeFocused();

  // Five controls: Tab past the last comes back to the first, Shift+Tab the other way.
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(first).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();

  // A wrong current password is said beside that field; the dialog stays.
  await first.fill('not my password');
  await dialog.getByLabel('New password', { exact: true }).fill('a brand new password');
  await dialog.getByLabel('Confirm new password').fill('a brand new password');
  await page.keyboard.press('Enter');
  await expect(first).toHaveAccessibleDescription('The current password is not right; nothing was changed.');
  await expect(first).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});
