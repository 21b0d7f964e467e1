import { useState } from 'react';
import { useChannelForm } from '../api';
import { Alert, Form, FormActions, Page, TextField } from '../ui';

export function SignInScreen() {
  const form = useChannelForm('session.signIn', 'sign-in');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  return (
    <Page title="Sign in" focusHeading={false}>
      <Form className="form narrow" onSubmit={() => void form.submit({ username, password })}>
        <Alert message={form.alert} />
        <TextField id={form.fieldId('username')} label="User name" value={username} onChange={setUsername} error={form.errors.username} required autoFocus autoComplete="username" />
        <TextField id={form.fieldId('password')} label="Password" type="password" value={password} onChange={setPassword} error={form.errors.password} required autoComplete="current-password" />
        <FormActions busy={form.busy} label="Sign in" busyLabel="Signing in…" />
      </Form>
      <p className="muted">Every sign-in, refusal and action is written to the workstation's audit record.</p>
    </Page>
  );
}
