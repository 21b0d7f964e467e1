import { useState } from 'react';
import { confirmError, useChannelForm } from '../api';
import { Dialog } from './dialog';
import { TextField } from './fields';
import { Form, FormActions } from './form';
import { Alert } from './page';

/** The signed-in user changes a secret of their own: the current one, then the new one twice. */
export function ChangeSecretDialog(p: {
  channel: 'users.changePassword' | 'cases.changePassphrase';
  formId: string;
  secret: 'password' | 'passphrase';
  title: string;
  hint: string;
  onClose(): void;
  onDone(): void;
}) {
  const form = useChannelForm(p.channel, p.formId);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');

  return (
    <Dialog title={p.title} onClose={p.onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ current, next }, confirmError(next, confirm, `${p.secret}s`)).then((r) => {
            if (r) p.onDone();
          });
        }}
      >
        <Alert message={form.alert} />
        {/* Only the sign-in password is one a password manager may fill in. */}
        <TextField id={form.fieldId('current')} label={`Current ${p.secret}`} type="password" value={current} onChange={setCurrent} error={form.errors.current} required autoFocus autoComplete={p.secret === 'password' ? 'current-password' : 'off'} />
        <TextField id={form.fieldId('next')} label={`New ${p.secret}`} type="password" value={next} onChange={setNext} error={form.errors.next} hint={p.hint} required autoComplete="new-password" />
        <TextField id={form.fieldId('confirm')} label={`Confirm new ${p.secret}`} type="password" value={confirm} onChange={setConfirm} error={form.errors.confirm} required autoComplete="new-password" />
        <FormActions busy={form.busy} label={`Change ${p.secret}`} busyLabel="Changing…" onCancel={p.onClose} />
      </Form>
    </Dialog>
  );
}
