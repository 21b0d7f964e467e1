import { Fragment, useState } from 'react';
import { CASE_PACK_HOW, type CaseDetails, type PackChange, type PackChangeProgress } from '../../shared';
import { may, useChannelForm, useEvents, useLoad, useUser } from '../api';
import { Alert, Dialog, Form, FormActions, formatTime, Notice, SelectField, TableHead, TextArea } from '../ui';

const CHANGE_STATUS: Record<PackChange['status'], string> = {
  running: 'Under way',
  interrupted: 'Cut short: ask for the same pack again to resume',
  failed: 'Failed: nothing was changed',
  done: 'Done',
};

/**
 * The model pack the case is made with: every search of the case uses it, whatever pack is
 * installed or preferred since. A supervisor may change it (its faces are encoded again).
 */
export function CasePackPanel({ pack, onChanged }: { pack: CaseDetails['pack']; onChanged(): void }) {
  const user = useUser();
  const changes = useLoad('cases.packChanges', {});
  const [open, setOpen] = useState(false);
  const [progress, setProgress] = useState<PackChangeProgress | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = changes.loaded.state === 'ready' ? changes.loaded.value : [];
  const running = progress ? progress.status === 'running' && progress.stage !== 'done' : list.some((c) => c.status === 'running');

  useEvents((e) => {
    if (e.type !== 'pack.progress') return;
    setProgress(e);
    if (e.stage === 'done' || e.stage === 'failed' || e.stage === 'interrupted') {
      changes.reload();
      if (e.stage === 'done') {
        setNotice(`Every face of the case was encoded again with ${e.pack}; searches use it from now on.`);
        onChanged();
      }
    }
  });

  return (
    <section className="panel" aria-labelledby="case-pack-title">
      <div className="panel-head">
        <h2 id="case-pack-title">Model pack</h2>
        {may(user.role, 'cases.changePack') && pack ? (
          <button type="button" className="btn small" aria-disabled={running} onClick={() => !running && setOpen(true)}>
            Change model pack…
          </button>
        ) : null}
      </div>
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {pack ? (
        <>
          <p>
            <strong>
              {pack.name} {pack.version}
            </strong>{' '}
            finds, aligns and encodes this case's faces; its searches use it even when another pack is installed.
          </p>
          <dl className="facts">
            <dt>Recorded</dt>
            <dd>
              {CASE_PACK_HOW[pack.how].replace(/^./, (c) => c.toUpperCase())}, <span className="num">{formatTime(pack.recordedAt)} UTC</span>
              {pack.recordedBy ? ` by ${pack.recordedBy}` : ''}
              {pack.reason ? ` (${pack.reason})` : ''}
            </dd>
            {pack.files.map((f) => (
              <Fragment key={f.role}>
                <dt>{f.role[0]!.toUpperCase() + f.role.slice(1)}</dt>
                <dd>
                  {f.file} <span className="mono" title={f.sha256}>SHA-256 {f.sha256.slice(0, 16)}…</span>
                </dd>
              </Fragment>
            ))}
          </dl>
        </>
      ) : (
        <p className="muted">Not recorded yet: no model pack was installed when the case was made. The pack used first is recorded.</p>
      )}
      {progress && progress.status === 'running' && progress.stage !== 'done' ? (
        <div className="progress-panel pack-progress" role="status">
          <p>
            Encoding the case's faces again with {progress.pack}: {progress.done} of {progress.total}. Searches use the current pack until every face is done.
          </p>
          <progress className="progress" max={Math.max(1, progress.total)} value={progress.done} aria-label="Faces encoded again" aria-valuetext={`${progress.done} of ${progress.total} faces`} />
        </div>
      ) : null}
      {list.length > 0 ? (
        <table className="grid">
          <caption>Changes of the pack (searches made before a change keep their scores and the pack they used)</caption>
          <TableHead columns={['From', 'To', 'By', 'Started (UTC)', 'Faces', 'Outcome']} />
          <tbody>
            {list.map((c) => (
              <tr key={c.id} title={c.reason}>
                <td>
                  {c.from.name} {c.from.version}
                </td>
                <td>
                  {c.to.name} {c.to.version}
                </td>
                <td>{c.startedBy}</td>
                <td className="num">{formatTime(c.startedAt)}</td>
                <td className="num">
                  {c.facesDone} / {c.facesTotal}
                </td>
                <td>
                  {CHANGE_STATUS[c.status]}
                  {c.failure ? ` (${c.failure})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {open && pack ? (
        <ChangePackDialog
          current={pack}
          onClose={() => setOpen(false)}
          onDone={(c) => {
            setOpen(false);
            setNotice(null);
            setProgress({ type: 'pack.progress', changeId: c.id, status: 'running', stage: 'encoding', done: c.facesDone, total: c.facesTotal, pack: `${c.to.name} ${c.to.version}` });
            changes.reload();
          }}
        />
      ) : null}
    </section>
  );
}

/** Which installed pack to move the case to, and why: the reason goes on the record with the change. */
function ChangePackDialog({ current, onClose, onDone }: { current: NonNullable<CaseDetails['pack']>; onClose(): void; onDone(c: PackChange): void }) {
  const packs = useLoad('models.list', {});
  const form = useChannelForm('cases.changePack', 'change-pack');
  const [pack, setPack] = useState('');
  const [reason, setReason] = useState('');
  const choices = (packs.loaded.state === 'ready' ? packs.loaded.value : [])
    .filter((p) => p.installed)
    .map((p) => ({ value: p.name, label: `${p.name} ${p.version}${p.name === current.name ? ' (the case uses it now)' : ''}${p.problem ? ` (unusable: ${p.problem})` : ''}`, disabled: p.name === current.name || p.problem !== null }));
  return (
    <Dialog title="Change the case's model pack" onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ pack, reason }).then((c) => {
            if (c) onDone(c);
          });
        }}
      >
        <p>
          Every face of the case is encoded again with the chosen pack, from the aligned face the case holds; its detections are kept. Searches use {current.name} {current.version} until every face is
          done, then the new pack. Searches made before keep their scores and the pack they used. The change and its reason are recorded.
        </p>
        <Alert message={packs.loaded.state === 'failed' ? packs.loaded.message : form.alert} />
        <SelectField id={form.fieldId('pack')} label="Pack" value={pack} onChange={setPack} choices={choices} placeholder="Choose an installed pack" error={form.errors.pack} required autoFocus />
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint="Why the case changes pack (at least 10 characters); it is kept on the record." required />
        <FormActions busy={form.busy} label="Change pack" busyLabel="Starting…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
