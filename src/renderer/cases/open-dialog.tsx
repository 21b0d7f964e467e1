import { useState } from 'react';
import type { CaseSummary } from '../../shared';
import { useChannelForm, useSession } from '../api';
import { Alert, Dialog, Form, FormActions, TextField } from '../ui';

/** Asks for the user's passphrase of one case; a wrong one is said beside the field and the case stays closed. */
export function OpenCaseDialog({ summary, onClose }: { summary: CaseSummary; onClose(): void }) {
  const { navigate, refresh } = useSession();
  const form = useChannelForm('cases.open', 'open-case');
  const [passphrase, setPassphrase] = useState('');

  return (
    <Dialog title={`Open case ${summary.reference}`} onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ caseId: summary.id, passphrase }).then((opened) => {
            if (!opened) return;
            refresh();
            navigate('/case');
          });
        }}
      >
        <Alert message={form.alert} />
        <TextField
          id={form.fieldId('passphrase')}
          label="Your passphrase for this case"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          error={form.errors.passphrase}
          required
          autoFocus
          autoComplete="off"
        />
        <FormActions busy={form.busy} label="Open case" busyLabel="Opening…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
