import { useState } from 'react';
import { RETENTION_STATUS_LABEL, type CaseRetention, type PurgeProof, type RetentionItem, type RetentionStatus } from '../../shared';
import { may, useAction, useChannelForm, useLoad, useUser } from '../api';
import { Alert, Dialog, Form, FormActions, formatDate, formatTime, LoadStatus, Notice, Page, ReasonDialog, TableHead, TextArea, TextField } from '../ui';

const BADGE: Record<RetentionStatus, string> = {
  overdue: 'badge outcome-refused',
  due: 'badge badge-accent',
  held: 'badge badge-accent',
  unknown: 'badge',
  kept: 'badge',
  purged: 'badge',
};

const daysText = (c: RetentionItem) => (c.daysLeft === null || c.purgedAt ? '' : c.daysLeft < 0 ? `${-c.daysLeft} days past` : c.daysLeft === 0 ? 'last day' : `${c.daysLeft} days left`);

/**
 * The retention queue (supervisors and auditors): every case of the register by where it
 * stands against its retention date, read from the register without opening any case.
 * A supervisor purges an overdue case here, typing its reference to confirm.
 */
export function RetentionScreen() {
  const user = useUser();
  const { loaded, reload } = useLoad('retention.queue', {});
  const [purging, setPurging] = useState<RetentionItem | null>(null);
  const [proof, setProof] = useState<{ proof: PurgeProof; purged: boolean } | null>(null);
  const verify = useAction();
  const purges = may(user.role, 'retention.purge');

  return (
    <Page title="Retention">
      <p className="muted">
        A case is kept until its retention date, or longer while a legal hold lasts. Once its date has passed and no hold is on it, a supervisor purges it: its
        keys are destroyed, then its folder, and the workstation audit record keeps who purged which case, when and under which rule. Dates and holds are changed,
        with a reason, on the case&apos;s overview.
      </p>
      <Alert message={verify.alert} />
      {proof ? <ProofNotice proof={proof.proof} purged={proof.purged} /> : null}
      <LoadStatus loaded={loaded} loading="Loading the retention queue…" />
      {loaded.state === 'ready' ? (
        loaded.value.cases.length === 0 ? (
          <p className="empty">No cases on this workstation.</p>
        ) : (
          <section className="panel" aria-labelledby="retention-title">
            <h2 id="retention-title">
              Cases on {formatDate(loaded.value.today)} <span className="muted">(due: within {loaded.value.dueWithinDays} days)</span>
            </h2>
            <table className="grid">
              <TableHead columns={['Reference', 'Status', 'Retain until', 'Time left', 'Created (UTC)', 'Purged (UTC)']} actions />
              <tbody>
                {loaded.value.cases.map((c) => (
                  <tr key={c.caseId} className={c.status === 'purged' ? 'row-muted' : undefined}>
                    <th scope="row" className="mono">
                      {c.reference}
                    </th>
                    <td>
                      <span className={BADGE[c.status]}>{RETENTION_STATUS_LABEL[c.status]}</span>
                    </td>
                    <td className="num">{c.retentionDate ? formatDate(c.retentionDate) : <span className="muted">open the case once</span>}</td>
                    <td className="num">{daysText(c)}</td>
                    <td className="num">
                      {formatTime(c.createdAt)} by {c.createdBy}
                    </td>
                    <td className="num">{c.purgedAt ? `${formatTime(c.purgedAt)} by ${c.purgedBy ?? ''}` : ''}</td>
                    <td className="actions">
                      {c.status === 'overdue' && purges ? (
                        <button type="button" className="btn small danger" aria-label={`Purge ${c.reference}`} onClick={() => setPurging(c)}>
                          Purge…
                        </button>
                      ) : null}
                      {c.status === 'purged' ? (
                        <button
                          type="button"
                          className="btn small"
                          aria-label={`Verify the purge of ${c.reference}`}
                          aria-disabled={verify.busy}
                          onClick={() =>
                            void verify.run('retention.verify', { caseId: c.caseId }).then((p) => {
                              if (p) setProof({ proof: p, purged: false });
                            })
                          }
                        >
                          Verify
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )
      ) : null}
      {purging ? (
        <PurgeDialog
          item={purging}
          onClose={() => setPurging(null)}
          onDone={(p) => {
            setPurging(null);
            setProof({ proof: p, purged: true });
            reload();
          }}
        />
      ) : null}
    </Page>
  );
}

function ProofNotice({ proof, purged }: { proof: PurgeProof; purged: boolean }) {
  return (
    <Notice tone={proof.ok ? 'good' : 'bad'}>
      <p>
        {purged ? `Case ${proof.reference} was purged. ` : ''}
        {proof.ok ? `Case ${proof.reference} cannot be opened on this workstation:` : `Case ${proof.reference} is NOT shown to be purged:`}
      </p>
      <ul>
        {proof.checks.map((c) => (
          <li key={c.check}>
            <strong>{c.ok ? 'Holds' : 'Fails'}</strong>: {c.check} <span className="muted">({c.found})</span>
          </li>
        ))}
      </ul>
    </Notice>
  );
}

/** Nothing is purged without the reference typed in full: the dialog says what cannot be undone. */
function PurgeDialog({ item, onClose, onDone }: { item: RetentionItem; onClose(): void; onDone(proof: PurgeProof): void }) {
  const form = useChannelForm('retention.purge', 'purge');
  const [typed, setTyped] = useState('');
  return (
    <Dialog title={`Purge case ${item.reference}`} onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ caseId: item.caseId, confirmReference: typed }).then((r) => {
            if (r) onDone(r.proof);
          });
        }}
      >
        <p>
          Case {item.reference} was to be kept until {item.retentionDate ? formatDate(item.retentionDate) : 'an unknown date'} and is under no legal hold. Purging
          destroys every key to it, then its folder: no one can ever open it again, and it cannot be undone. Copies of the case folder kept elsewhere (backups) are
          not reached: destroy them as your policy says.
        </p>
        <Alert message={form.alert} />
        <TextField
          id={form.fieldId('confirmReference')}
          label={`Type the case reference (${item.reference}) to confirm`}
          value={typed}
          onChange={setTyped}
          error={form.errors.confirmReference}
          required
          autoFocus
        />
        <FormActions busy={form.busy} label="Purge the case for good" busyLabel="Purging…" onCancel={onClose} tone="danger" />
      </Form>
    </Dialog>
  );
}

type Change = 'date' | 'hold' | null;

/** The open case's retention on its overview: the date and any hold, and a supervisor's changes to them with a reason. */
export function RetentionPanel({ onChanged }: { onChanged(): void }) {
  const user = useUser();
  const { loaded, setLoaded } = useLoad('retention.case', {});
  const [changing, setChanging] = useState<Change>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const changes = may(user.role, 'retention.setDate');
  const done = (r: CaseRetention, message: string) => {
    setLoaded({ state: 'ready', value: r });
    setChanging(null);
    setNotice(message);
    onChanged();
  };

  return (
    <section className="panel" aria-labelledby="retention-panel-title">
      <div className="panel-head">
        <h2 id="retention-panel-title">Retention</h2>
        {changes && loaded.state === 'ready' ? (
          <span>
            <button type="button" className="btn small" onClick={() => setChanging('date')}>
              Change date…
            </button>{' '}
            <button type="button" className="btn small" onClick={() => setChanging('hold')}>
              {loaded.value.held ? 'Lift legal hold…' : 'Place legal hold…'}
            </button>
          </span>
        ) : null}
      </div>
      <LoadStatus loaded={loaded} loading="Loading retention…" />
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {loaded.state === 'ready' ? (
        <dl className="facts">
          <dt>Retain until</dt>
          <dd className="num">{formatDate(loaded.value.retentionDate)}</dd>
          <dt>Legal hold</dt>
          <dd>
            {loaded.value.held ? (
              <>
                <span className="badge badge-accent">Held</span> since <span className="num">{formatTime(loaded.value.heldSince ?? '')} UTC</span> by {loaded.value.heldBy}: never purged while it lasts
              </>
            ) : (
              'None'
            )}
          </dd>
        </dl>
      ) : null}
      {!changes ? <p className="muted">Only a supervisor changes the retention date or a legal hold, with a reason.</p> : null}
      {changing === 'date' && loaded.state === 'ready' ? <DateDialog current={loaded.value} onClose={() => setChanging(null)} onDone={(r) => done(r, `The case is now kept until ${formatDate(r.retentionDate)}.`)} /> : null}
      {changing === 'hold' && loaded.state === 'ready' ? (
        <ReasonDialog
          channel="retention.setHold"
          formId="retention-hold"
          title={loaded.value.held ? 'Lift the legal hold' : 'Place a legal hold'}
          input={{ held: !loaded.value.held }}
          intro={loaded.value.held ? 'Once the hold is lifted, the case may be purged when its retention date has passed.' : 'A held case is never purged, whatever its retention date, until a supervisor lifts the hold.'}
          hint={REASON_HINT}
          label={loaded.value.held ? 'Lift the hold' : 'Place the hold'}
          onClose={() => setChanging(null)}
          onDone={(r) => done(r, r.held ? 'The case is under a legal hold: it will not be purged while the hold lasts.' : 'The legal hold is lifted.')}
        />
      ) : null}
    </section>
  );
}

const REASON_HINT = "Recorded on the case's own (encrypted) audit record; the workstation record keeps the decision without the reason.";

function DateDialog({ current, onClose, onDone }: { current: CaseRetention; onClose(): void; onDone(r: CaseRetention): void }) {
  const form = useChannelForm('retention.setDate', 'retention-date');
  const [date, setDate] = useState(current.retentionDate);
  const [reason, setReason] = useState('');
  return (
    <Dialog title="Change the retention date" onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ retentionDate: date, reason }).then((r) => {
            if (r) onDone(r);
          });
        }}
      >
        <p>The case is kept until {formatDate(current.retentionDate)}. An earlier date may not be before today: the case may be purged from the day after its date.</p>
        <Alert message={form.alert} />
        <TextField id={form.fieldId('retentionDate')} label="Retain until" type="date" value={date} onChange={setDate} error={form.errors.retentionDate} required autoFocus />
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint={REASON_HINT} required />
        <FormActions busy={form.busy} label="Change the date" busyLabel="Saving…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
