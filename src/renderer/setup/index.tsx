import { useState } from 'react';
import { confirmError, useChannelForm } from '../api';
import { Alert, Form, FormActions, Page, TextField } from '../ui';

/** First run: the workstation has no users, so the first one made is a supervisor. */
export function SetupScreen() {
  const form = useChannelForm('session.createFirstSupervisor', 'setup');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');

  return (
    <Page title="Set up this workstation" focusHeading={false}>
      <p className="lead">
        No one has used Loupe on this workstation yet. Create the first supervisor account. Supervisors add the other users and grant them access to
        cases. There is no password recovery: if every supervisor forgets their password, nobody can add users.
      </p>
      <Form className="form narrow" onSubmit={() => void form.submit({ username, displayName, password }, confirmError(password, confirm, 'passwords'))}>
        <Alert message={form.alert} />
        <TextField id={form.fieldId('username')} label="User name" value={username} onChange={setUsername} error={form.errors.username} hint="Lower-case letters, digits, dot, dash and underscore." required autoFocus autoComplete="username" />
        <TextField id={form.fieldId('displayName')} label="Display name" value={displayName} onChange={setDisplayName} error={form.errors.displayName} hint="Shown in the audit record and on reports, e.g. DS Sam Patel." required />
        <TextField id={form.fieldId('password')} label="Password" type="password" value={password} onChange={setPassword} error={form.errors.password} hint="At least 10 characters." required autoComplete="new-password" />
        <TextField id={form.fieldId('confirm')} label="Confirm password" type="password" value={confirm} onChange={setConfirm} error={form.errors.confirm} required autoComplete="new-password" />
        <FormActions busy={form.busy} label="Create supervisor" busyLabel="Creating…" />
      </Form>
    </Page>
  );
}
