import { useState } from 'react';
import { confirmError, useChannelForm } from '../api';
import { Alert, Dialog, Form, FormActions, TextField } from '../ui';

/** Changes only the signed-in user's own key slot; the case's data key and everyone else's slots stay as they are. */
export function ChangePassphraseDialog({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const form = useChannelForm('cases.changePassphrase', 'case-passphrase');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');

  return (
    <Dialog title="Change your case passphrase" onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ current, next }, confirmError(next, confirm, 'passphrases')).then((r) => {
            if (r) onDone();
          });
        }}
      >
        <Alert message={form.alert} />
        <TextField id={form.fieldId('current')} label="Current passphrase" type="password" value={current} onChange={setCurrent} error={form.errors.current} required autoFocus />
        <TextField id={form.fieldId('next')} label="New passphrase" type="password" value={next} onChange={setNext} error={form.errors.next} hint="At least 10 characters. It cannot be recovered if forgotten." required autoComplete="new-password" />
        <TextField id={form.fieldId('confirm')} label="Confirm new passphrase" type="password" value={confirm} onChange={setConfirm} error={form.errors.confirm} required autoComplete="new-password" />
        <FormActions busy={form.busy} label="Change passphrase" busyLabel="Changing…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
