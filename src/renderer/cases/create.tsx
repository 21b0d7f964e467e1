import { useState } from 'react';
import { OffenceCategory, type CaseAuthority } from '../../shared';
import { confirmError, useChannelForm, useSession } from '../api';
import { Alert, Form, NewPassphraseFields, Page, SelectField, TextArea, TextField } from '../ui';

const OFFENCES = OffenceCategory.options.map((o) => ({ value: o, label: o.charAt(0).toUpperCase() + o.slice(1) }));

type Draft = Omit<CaseAuthority, 'offenceCategory'> & { offenceCategory: CaseAuthority['offenceCategory'] | '' };

const EMPTY: Draft = { reference: '', title: '', offenceCategory: '', purpose: '', legalBasis: '', authorisedBy: '', retentionDate: '' };

/** A new case records why it exists and on whose authority before any evidence goes in. */
export function CreateCaseScreen() {
  const { navigate, refresh } = useSession();
  const form = useChannelForm('cases.create', 'new-case');
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const field = (key: keyof Draft) => ({ id: form.fieldId(key), value: draft[key], onChange: set(key), error: form.errors[key], required: true });

  return (
    <Page title="New case" focusHeading={false}>
      <Form
        onSubmit={() => {
          // The select starts empty on purpose; the schema then names the field.
          const input = { ...draft, passphrase } as CaseAuthority & { passphrase: string };
          void form.submit(input, confirmError(passphrase, confirm, 'passphrases')).then((created) => {
            if (!created) return;
            // The session's own event will say so too; asked now, the case screen never meets a stale session.
            refresh();
            navigate('/case');
          });
        }}
      >
        <Alert message={form.alert} />
        <fieldset>
          <legend>Case</legend>
          <div className="field-row">
            <TextField {...field('reference')} label="Case reference" hint="As used by your force, e.g. OP-KESTREL/2025/014." autoFocus maxLength={64} />
            <SelectField {...field('offenceCategory')} label="Offence category" choices={OFFENCES} placeholder="Choose a category" />
          </div>
          <TextField {...field('title')} label="Title" maxLength={200} />
        </fieldset>
        <fieldset>
          <legend>Authority</legend>
          <TextArea {...field('purpose')} label="Purpose" hint="What the face comparison is for; shown on every report and search record." maxLength={2000} />
          <TextArea {...field('legalBasis')} label="Legal basis" maxLength={2000} />
          <div className="field-row">
            <TextField {...field('authorisedBy')} label="Authorised by" hint="Name and rank of the authorising officer." maxLength={200} />
            <TextField {...field('retentionDate')} label="Retain until" type="date" hint="Review or delete the case by this date." />
          </div>
        </fieldset>
        <fieldset>
          <legend>Case passphrase</legend>
          <div className="warning" id="passphrase-warning">
            <strong>A forgotten passphrase cannot be recovered.</strong> The case is encrypted with it: nobody, including a supervisor or Loupe's makers,
            can open the case without a passphrase that holds a key to it. Keep it as your force's policy requires.
          </div>
          <div className="field-row">
            <NewPassphraseFields form={form} label="Passphrase" hint="At least 10 characters; a few unrelated words is good." value={passphrase} onChange={setPassphrase} confirm={confirm} onConfirm={setConfirm} />
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn primary" aria-disabled={form.busy}>
            {form.busy ? 'Creating…' : 'Create case'}
          </button>
          <a className="btn" href="#/cases">
            Cancel
          </a>
        </div>
      </Form>
    </Page>
  );
}
