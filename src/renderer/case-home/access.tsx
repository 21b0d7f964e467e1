import { useState } from 'react';
import type { CaseDetails } from '../../shared';
import { confirmError, useAction, useChannelForm, useLoad } from '../api';
import { Alert, Dialog, Form, FormActions, NewPassphraseFields, SelectField } from '../ui';

/** Gives another user a key slot of their own, wrapped with a passphrase the supervisor hands over in person. */
export function GrantAccessDialog({ details, onClose, onDone }: { details: CaseDetails; onClose(): void; onDone(details: CaseDetails, username: string): void }) {
  const form = useChannelForm('cases.grantAccess', 'grant-access');
  const { loaded } = useLoad('users.list', {});
  const [username, setUsername] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const members = new Set(details.members.map((m) => m.username));
  const candidates = loaded.state === 'ready' ? loaded.value.filter((u) => !u.disabled && !members.has(u.username)) : [];

  return (
    <Dialog title={`Grant access to ${details.reference}`} onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ username, passphrase }, confirmError(passphrase, confirm, 'passphrases')).then((d) => {
            if (d) onDone(d, username);
          });
        }}
      >
        <Alert message={loaded.state === 'failed' ? loaded.message : form.alert} />
        {loaded.state === 'ready' && candidates.length === 0 ? <p className="muted">Every active user already holds a key to this case.</p> : null}
        <SelectField
          id={form.fieldId('username')}
          label="User"
          value={username}
          onChange={setUsername}
          choices={candidates.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username}, ${u.role})` }))}
          placeholder={loaded.state === 'loading' ? 'Loading users…' : 'Choose a user'}
          error={form.errors.username}
          required
          autoFocus
        />
        <NewPassphraseFields
          form={form}
          label="Passphrase for the new member"
          hint="Give it to them in person; they can change it once they have opened the case."
          value={passphrase}
          onChange={setPassphrase}
          confirm={confirm}
          onConfirm={setConfirm}
        />
        <FormActions busy={form.busy} label="Grant access" busyLabel="Granting…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

/** Removing a key slot is final for that user; main refuses to remove the last one. */
export function RevokeAccessDialog({ username, onClose, onDone }: { username: string; onClose(): void; onDone(details: CaseDetails): void }) {
  const action = useAction();
  return (
    <Dialog title={`Revoke access for ${username}`} onClose={onClose}>
      <p>
        {username} will no longer be able to open this case. Their key slot is destroyed; to give access again, a supervisor grants it anew with a new
        passphrase.
      </p>
      <Alert message={action.alert} />
      <div className="form-actions">
        <button
          type="button"
          className="btn danger"
          aria-disabled={action.busy}
          onClick={() =>
            void action.run('cases.revokeAccess', { username }).then((d) => {
              if (d) onDone(d);
            })
          }
        >
          {action.busy ? 'Revoking…' : 'Revoke access'}
        </button>
        {/* Focus starts on the safe choice. */}
        <button type="button" className="btn" data-autofocus onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
