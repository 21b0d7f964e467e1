import { useState } from 'react';
import type { CaseDetails } from '../../shared';
import { may, useAction, useLoad, useSession, useUser } from '../api';
import { Alert, ChangeSecretDialog, formatDate, formatTime, Notice, Page, TableHead } from '../ui';
import { RetentionPanel } from '../retention';
import { AuthorisationsPanel, SearchSettingsPanel } from '../search';
import { ExportPackageDialog, exportedNotice } from '../disclosure';
import { GrantAccessDialog, RevokeAccessDialog } from './access';
import { CasePackPanel } from './pack';
import { BlindModePanel, ReviewQueuePanel } from './review';

type Open = { kind: 'passphrase' } | { kind: 'grant' } | { kind: 'revoke'; username: string } | { kind: 'export' } | null;

/** The open case: its authority, who holds a key to it, what it holds, and what may be done to it. */
export function CaseHomeScreen() {
  const { status, navigate, refresh } = useSession();
  const user = useUser();
  const { loaded, setLoaded, reload } = useLoad('cases.info', {}, status.openCase?.id ?? '');
  const close = useAction();
  const [dialog, setDialog] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const manages = may(user.role, 'cases.grantAccess');

  const updated = (details: CaseDetails, message: string) => {
    setLoaded({ state: 'ready', value: details });
    setDialog(null);
    setNotice(message);
  };

  if (loaded.state === 'loading') return <Page title="Case"><p className="muted">Loading the case…</p></Page>;
  if (loaded.state === 'failed') {
    return (
      <Page title="Case">
        <Alert message={loaded.message} />
        <p>
          <a href="#/cases">Back to the case list</a>
        </p>
      </Page>
    );
  }
  const c = loaded.value;

  return (
    <Page
      title={`${c.reference} · ${c.title}`}
      actions={
        <>
          <a className="btn" href="#/audit">
            Audit record
          </a>
          <button type="button" className="btn" onClick={() => setDialog({ kind: 'passphrase' })}>
            Change passphrase…
          </button>
          {may(user.role, 'cases.export') ? (
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'export' })}>
              Export disclosure package…
            </button>
          ) : null}
          <button
            type="button"
            className="btn"
            aria-disabled={close.busy}
            onClick={() =>
              void close.run('cases.close', {}).then((done) => {
                if (!done) return;
                refresh();
                navigate('/cases');
              })
            }
          >
            {close.busy ? 'Closing…' : 'Close case'}
          </button>
        </>
      }
    >
      <Alert message={close.alert} />
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      <ReviewQueuePanel />
      <AuthorisationsPanel />
      <div className="columns">
        <section className="panel" aria-labelledby="authority-title">
          <h2 id="authority-title">Authority</h2>
          <dl className="facts">
            <dt>Offence category</dt>
            <dd>{c.offenceCategory}</dd>
            <dt>Purpose</dt>
            <dd className="prose">{c.purpose}</dd>
            <dt>Legal basis</dt>
            <dd className="prose">{c.legalBasis}</dd>
            <dt>Authorised by</dt>
            <dd>{c.authorisedBy}</dd>
            <dt>Retain until</dt>
            <dd className="num">{formatDate(c.retentionDate)}</dd>
            <dt>Created</dt>
            <dd>
              <span className="num">{formatTime(c.createdAt)} UTC</span> by {c.createdBy}
            </dd>
            <dt>Case folder</dt>
            <dd className="mono wrap">{c.folder}</dd>
          </dl>
        </section>
        <div className="stack">
          <section className="panel" aria-labelledby="contents-title">
            <h2 id="contents-title">Contents</h2>
            <dl className="counts">
              <div>
                <dt>Exhibits</dt>
                <dd>{c.counts.exhibits}</dd>
              </div>
              <div>
                <dt>Faces</dt>
                <dd>{c.counts.faces}</dd>
              </div>
              <div>
                <dt>Audit records</dt>
                <dd>{c.counts.auditRecords}</dd>
              </div>
            </dl>
          </section>
          <CasePackPanel pack={c.pack} onChanged={reload} />
          <section className="panel" aria-labelledby="members-title">
            <div className="panel-head">
              <h2 id="members-title">Members</h2>
              {manages ? (
                <button type="button" className="btn small" onClick={() => setDialog({ kind: 'grant' })}>
                  Grant access…
                </button>
              ) : null}
            </div>
            <table className="grid">
              <TableHead columns={['User', 'Added (UTC)', 'Added by']} actions={manages} />
              <tbody>
                {c.members.map((m) => (
                  <tr key={m.username}>
                    <th scope="row">{m.username}</th>
                    <td className="num">{formatTime(m.addedAt)}</td>
                    <td>{m.addedBy}</td>
                    {manages ? (
                      <td className="actions">
                        {m.username !== user.username ? (
                          <button type="button" className="btn small danger" aria-label={`Revoke access for ${m.username}`} onClick={() => setDialog({ kind: 'revoke', username: m.username })}>
                            Revoke…
                          </button>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <BlindModePanel />
          {/* The authority panel shows the retention date too. */}
          <RetentionPanel onChanged={reload} />
          <SearchSettingsPanel />
        </div>
      </div>
      {/* Changes only the signed-in user's own key slot; the case's data key and everyone else's slots stay as they are. */}
      {dialog?.kind === 'passphrase' ? (
        <ChangeSecretDialog
          channel="cases.changePassphrase"
          formId="case-passphrase"
          secret="passphrase"
          title="Change your case passphrase"
          hint="At least 10 characters. It cannot be recovered if forgotten."
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            setNotice('Your passphrase for this case was changed. Use the new one from now on.');
          }}
        />
      ) : null}
      {dialog?.kind === 'export' ? (
        <ExportPackageDialog
          reference={c.reference}
          onClose={() => setDialog(null)}
          onDone={(d) => {
            setDialog(null);
            setNotice(exportedNotice(d));
            reload();
          }}
        />
      ) : null}
      {dialog?.kind === 'grant' ? <GrantAccessDialog details={c} onClose={() => setDialog(null)} onDone={(d, who) => updated(d, `${who} now holds a key to this case.`)} /> : null}
      {dialog?.kind === 'revoke' ? (
        <RevokeAccessDialog username={dialog.username} onClose={() => setDialog(null)} onDone={(d) => updated(d, `${dialog.username} no longer holds a key to this case.`)} />
      ) : null}
    </Page>
  );
}
