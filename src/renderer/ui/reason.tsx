import { useState, type ReactNode } from 'react';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../shared';
import { useChannelForm } from '../api';
import { Dialog } from './dialog';
import { TextArea } from './fields';
import { Form, FormActions } from './form';
import { Alert } from './page';

/** The channels whose input carries a reason. */
type ReasonChannel = { [K in ChannelName]: ChannelInput<K> extends { reason: string } ? K : never }[ChannelName];

/** A decision that needs only a reason: what it does, the reason (checked by the channel's schema), and the button that makes it. */
export function ReasonDialog<K extends ReasonChannel>(p: {
  channel: K;
  formId: string;
  title: string;
  /** The rest of the channel's input, decided before the dialog opened. */
  input: Omit<ChannelInput<K>, 'reason'>;
  intro: ReactNode;
  hint: string;
  label: string;
  tone?: 'primary' | 'danger';
  onClose(): void;
  onDone(value: ChannelOutput<K>): void;
}) {
  const form = useChannelForm(p.channel, p.formId);
  const [reason, setReason] = useState('');
  return (
    <Dialog title={p.title} onClose={p.onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ ...p.input, reason } as ChannelInput<K>).then((v) => {
            if (v) p.onDone(v);
          });
        }}
      >
        <p>{p.intro}</p>
        <Alert message={form.alert} />
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint={p.hint} required autoFocus />
        <FormActions busy={form.busy} label={p.label} busyLabel="Saving…" tone={p.tone} onCancel={p.onClose} />
      </Form>
    </Dialog>
  );
}
