import { useState } from 'react';
import { confirmError, useChannelForm, type FieldErrors } from '../api';
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

/**
 * A new passphrase and its confirmation, as every form that sets one asks for them; the
 * form's `passphrase` and `confirm` fields (confirmError names the second).
 */
export function NewPassphraseFields(p: {
  form: { fieldId(name: string): string; errors: FieldErrors };
  label: string;
  hint: string;
  value: string;
  onChange(value: string): void;
  confirm: string;
  onConfirm(value: string): void;
}) {
  return (
    <>
      <TextField id={p.form.fieldId('passphrase')} label={p.label} type="password" value={p.value} onChange={p.onChange} error={p.form.errors.passphrase} hint={p.hint} required autoComplete="new-password" />
      <TextField id={p.form.fieldId('confirm')} label="Confirm passphrase" type="password" value={p.confirm} onChange={p.onConfirm} error={p.form.errors.confirm} required autoComplete="new-password" />
    </>
  );
}
