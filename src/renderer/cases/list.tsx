import { useEffect, useState } from 'react';
import type { CaseSummary } from '../../shared';
import { may, useLoad, useSession, useUser } from '../api';
import { formatTime, LoadStatus, Notice, Page, TableHead } from '../ui';
import { ImportPackageDialog, importedNotice } from '../disclosure';
import { OpenCaseDialog } from './open-dialog';

export function CasesScreen() {
  const { status } = useSession();
  const user = useUser();
  const { loaded, reload } = useLoad('cases.list', {}, status.openCase?.id ?? '');
  // A case folder restored or moved back while Loupe was in the background is seen on return.
  useEffect(() => {
    window.addEventListener('focus', reload);
    return () => window.removeEventListener('focus', reload);
  }, [reload]);
  const [opening, setOpening] = useState<CaseSummary | null>(null);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const canCreate = may(user.role, 'cases.create');
  const canImport = may(user.role, 'cases.import');
  const openCase = status.openCase;

  return (
    <Page
      title="Cases"
      actions={
        <>
          {canImport ? (
            <button type="button" className="btn" onClick={() => setImporting(true)}>
              Import case package…
            </button>
          ) : null}
          {canCreate ? (
            <a className="btn primary" href="#/cases/new">
              New case
            </a>
          ) : null}
        </>
      }
    >
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {openCase ? (
        <p className="muted">
          Case {openCase.reference} is open. Close it before opening another.
        </p>
      ) : null}
      <LoadStatus loaded={loaded} loading="Loading cases…" />
      {loaded.state === 'ready' && loaded.value.length === 0 ? (
        <p className="empty">{canCreate ? 'No cases on this workstation yet. Create one with New case.' : 'No cases on this workstation yet.'}</p>
      ) : null}
      {loaded.state === 'ready' && loaded.value.length > 0 ? (
        <table className="grid">
          <caption className="visually-hidden">Cases registered on this workstation</caption>
          <TableHead columns={['Reference', 'Title', 'Created (UTC)', 'Created by', 'Your access']} actions />
          <tbody>
            {loaded.value.map((c) => (
              <tr key={c.id} className={c.isOpen ? 'row-current' : undefined}>
                <th scope="row" className="mono">
                  {c.reference}
                </th>
                <td>{c.title ?? <span className="muted">Shown when open</span>}</td>
                <td className="num">{formatTime(c.createdAt)}</td>
                <td>{c.createdBy}</td>
                <td>
                  <CaseAccess summary={c} />
                </td>
                <td className="actions">
                  {c.isOpen ? (
                    <a className="btn small" href="#/case">
                      Go to case
                    </a>
                  ) : c.folder !== 'ready' ? (
                    <button type="button" className="btn small" aria-label={`Check case ${c.reference} again`} onClick={reload}>
                      Check again
                    </button>
                  ) : c.hasAccess && !openCase ? (
                    <button type="button" className="btn small" aria-label={`Open case ${c.reference}`} onClick={() => setOpening(c)}>
                      Open…
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {opening ? <OpenCaseDialog summary={opening} onClose={() => setOpening(null)} /> : null}
      {importing ? (
        <ImportPackageDialog
          onClose={() => setImporting(false)}
          onDone={(d) => {
            setImporting(false);
            setNotice(importedNotice(d));
            reload();
          }}
        />
      ) : null}
    </Page>
  );
}

function CaseAccess({ summary: c }: { summary: CaseSummary }) {
  if (c.isOpen) return <span className="badge badge-accent">Open</span>;
  if (c.folder === 'missing') return <><span className="badge outcome-failed">Folder missing</span> <span className="muted">restore it, then Check again</span></>;
  if (c.folder === 'unreadable') return <><span className="badge outcome-failed">Key slots damaged</span> <span className="muted">restore the case folder from a backup</span></>;
  return c.hasAccess ? 'Member' : <span className="muted">No access</span>;
}
