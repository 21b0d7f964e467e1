import { useState } from 'react';
import { confirmError, useChannelForm } from '../api';
import { Alert, Dialog, Form, FormActions, TextField } from '../ui';

/** The signed-in user's own sign-in password; case passphrases are separate and change on the case. */
export function ChangePasswordDialog({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const form = useChannelForm('users.changePassword', 'account-password');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');

  return (
    <Dialog title="Change your password" onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ current, next }, confirmError(next, confirm, 'passwords')).then((r) => {
            if (r) onDone();
          });
        }}
      >
        <Alert message={form.alert} />
        <TextField id={form.fieldId('current')} label="Current password" type="password" value={current} onChange={setCurrent} error={form.errors.current} required autoFocus autoComplete="current-password" />
        <TextField id={form.fieldId('next')} label="New password" type="password" value={next} onChange={setNext} error={form.errors.next} hint="At least 10 characters." required autoComplete="new-password" />
        <TextField id={form.fieldId('confirm')} label="Confirm new password" type="password" value={confirm} onChange={setConfirm} error={form.errors.confirm} required autoComplete="new-password" />
        <FormActions busy={form.busy} label="Change password" busyLabel="Changing…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
