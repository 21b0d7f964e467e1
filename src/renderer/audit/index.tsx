import { useState } from 'react';
import type { AuditChain, AuditRecord, AuditVerification, RestoreAcceptance, User } from '../../shared';
import { may, mayCall, useAction, useChannelForm, useLoad, useSession, useUser } from '../api';
import { Alert, Dialog, Form, FormActions, formatTime, LoadStatus, Notice, oneLine, Page, pageLabel, TableHead, TextArea } from '../ui';

/** Rows per page to choose from: a short page reads quickly, a long one finds a step among a busy day's records. */
const PAGE_SIZES = [50, 200, 1000] as const;

/** The chains the signed-in user may read now, the open case's first; who may read which is the contract's rule. */
function readableChains(user: User, caseOpen: boolean): AuditChain[] {
  return [...(caseOpen ? (['case'] as const) : []), ...(mayCall(user, 'audit.list', { chain: 'workstation' }) ? (['workstation'] as const) : [])];
}

export function AuditScreen({ params }: { params: URLSearchParams }) {
  const { status, navigate } = useSession();
  const user = useUser();
  const chains = readableChains(user, status.openCase !== null);
  const asked = params.get('chain');
  const chain = chains.find((c) => c === asked) ?? chains[0];
  const object = params.get('object')?.trim() || undefined;

  if (!chain) {
    return (
      <Page title="Audit record">
        <p className="empty">
          Open a case to see its audit record. <a href="#/cases">Go to the case list</a>.
        </p>
      </Page>
    );
  }
  return (
    <Page title="Audit record">
      <div className="segmented" role="group" aria-label="Chain">
        {chains.map((c) => (
          <button key={c} type="button" className="btn" aria-pressed={c === chain} onClick={() => navigate(`/audit?chain=${c}`)}>
            {c === 'case' ? `Case ${status.openCase?.reference ?? ''}` : 'Workstation'}
          </button>
        ))}
      </div>
      <ObjectFilter
        object={object}
        onChange={(o) => navigate(`/audit?${new URLSearchParams({ chain, ...(o ? { object: o } : {}) }).toString()}`)}
      />
      {/* Keyed by chain and filter so paging and a verification never carry over to another view of the record. */}
      <ChainView key={`${chain}:${status.openCase?.id ?? ''}:${object ?? ''}`} chain={chain} object={object} canExport={may(user.role, 'audit.export')} canAcceptRestored={may(user.role, 'cases.acceptRestored')} />
    </Page>
  );
}

/**
 * Follows one object through the record: a comparison under review is `review-item:<id>`, so the
 * examination, reveal, verification and resolution of one candidate read as one story.
 */
function ObjectFilter({ object, onChange }: { object: string | undefined; onChange(object: string | undefined): void }) {
  const [text, setText] = useState(object ?? '');
  return (
    <form
      className="toolbar toolbar-bar wrap-actions audit-filter"
      role="search"
      aria-label="Filter the record by object"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(text.trim() || undefined);
      }}
    >
      <label htmlFor="audit-object">Only records about</label>
      <input id="audit-object" className="mono" value={text} onChange={(e) => setText(e.target.value)} placeholder="review-item:12" aria-describedby="audit-object-hint" maxLength={200} />
      <button type="submit" className="btn">
        Filter
      </button>
      {object ? (
        <button
          type="button"
          className="btn"
          onClick={() => {
            setText('');
            onChange(undefined);
          }}
        >
          Show all records
        </button>
      ) : null}
      <span id="audit-object-hint" className="muted">
        An object as the Object column names it: review-item:12 is one comparison under review; choose an object in the table to follow it.
      </span>
    </form>
  );
}

function ChainView({ chain, object, canExport, canAcceptRestored }: { chain: AuditChain; object: string | undefined; canExport: boolean; canAcceptRestored: boolean }) {
  const { navigate } = useSession();
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<number>(PAGE_SIZES[0]);
  const { loaded, reload } = useLoad('audit.list', { chain, offset, limit: page, ...(object ? { object } : {}) });
  const verify = useAction();
  const exporter = useAction();
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [accepting, setAccepting] = useState(false);
  const [accepted, setAccepted] = useState<RestoreAcceptance | null>(null);
  const total = loaded.state === 'ready' ? loaded.value.total : 0;
  const shown = loaded.state === 'ready' ? loaded.value.records.length : 0;
  const hasNewer = offset > 0;
  const hasOlder = offset + page < total;

  const runVerify = async () => {
    setVerification(null);
    setAccepted(null);
    const v = await verify.run('audit.verify', { chain });
    if (v) setVerification(v);
    // Verifying is itself recorded: show the record as it now stands.
    reload();
  };

  const runExport = async () => {
    setExported(null);
    const out = await exporter.run('audit.export', { chain });
    if (!out) return;
    const url = URL.createObjectURL(new Blob([out.jsonl], { type: 'application/x-ndjson' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = out.fileName;
    document.body.append(a);
    a.click();
    a.remove();
    // The download has taken its copy once click() returns; the URL is only a handle.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    reload();
    setExported(`Exported ${out.records} records to ${out.fileName}. Head hash ${out.headHash}.`);
  };

  return (
    <>
      <div className="toolbar toolbar-bar">
        <button type="button" className="btn primary" aria-disabled={verify.busy} onClick={() => void runVerify()}>
          {verify.busy ? 'Verifying…' : 'Verify chain'}
        </button>
        {canExport ? (
          <button type="button" className="btn" aria-disabled={exporter.busy} onClick={() => void runExport()}>
            {exporter.busy ? 'Exporting…' : 'Export'}
          </button>
        ) : null}
        <button type="button" className="btn" onClick={reload}>
          Refresh
        </button>
        <span className="spacer" />
        <span className="num muted" aria-live="polite">
          {loaded.state === 'ready' ? `Records ${pageLabel(offset, shown, total)}${object ? ` about ${object}` : ''}` : ''}
        </span>
        <label htmlFor="audit-page-size" className="muted">
          Per page
        </label>
        <select
          id="audit-page-size"
          className="inline-select"
          value={page}
          onChange={(e) => {
            setPage(Number(e.target.value));
            setOffset(0);
          }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        {/* aria-disabled, not disabled: a button that disables itself under the pointer would drop keyboard focus. */}
        <button type="button" className="btn" aria-disabled={!hasNewer} onClick={() => hasNewer && setOffset(Math.max(0, offset - page))}>
          Newer
        </button>
        <button type="button" className="btn" aria-disabled={!hasOlder} onClick={() => hasOlder && setOffset(offset + page)}>
          Older
        </button>
      </div>
      <Alert message={verify.alert ?? exporter.alert} />
      {verification ? <VerificationResult v={verification} onAccept={chain === 'case' && canAcceptRestored && verification.behindAnchor ? () => setAccepting(true) : null} /> : null}
      {accepted ? (
        <Notice tone="good">
          The restored copy was accepted and its chain anchored again. Recorded on the case and workstation chains: {accepted.recordsLost} records lost (the
          workstation had seen up to record #{accepted.anchored.seq}, the copy ends at record #{accepted.restored.seq}).
        </Notice>
      ) : null}
      {accepting ? (
        <AcceptRestoredDialog
          onClose={() => setAccepting(false)}
          onDone={(a) => {
            setAccepting(false);
            setVerification(null);
            setAccepted(a);
            reload();
          }}
        />
      ) : null}
      {exported ? <Notice>{exported}</Notice> : null}
      <LoadStatus loaded={loaded} loading="Loading the audit record…" />
      {loaded.state === 'ready' ? (
        <RecordTable chain={chain} records={loaded.value.records} follow={(o) => navigate(`/audit?${new URLSearchParams({ chain, object: o }).toString()}`)} />
      ) : null}
    </>
  );
}

function VerificationResult({ v, onAccept }: { v: AuditVerification; onAccept: (() => void) | null }) {
  const lost = v.anchorLost ? (
    <Notice tone="bad">
      <strong>Anchor lost:</strong> the anchor that vouches for the newest records was found missing or unreadable{' '}
      {v.anchorLost.length === 1 ? 'once' : `${v.anchorLost.length} times`} (
      {v.anchorLost.map((l) => `record #${l.seq} at ${formatTime(l.time)} UTC`).join('; ')}). Records cut from the end before then, with the anchor deleted,
      would not show. Tell your supervisor.
    </Notice>
  ) : null;
  if (v.ok) {
    return (
      <>
        <Notice tone="good">
          <strong>Chain intact:</strong> {v.records} records verified at <span className="num">{formatTime(v.checkedAt)} UTC</span>. Head hash{' '}
          <code className="hash">{v.headHash}</code>
        </Notice>
        {lost}
      </>
    );
  }
  return (
    <>
      <Notice tone="bad">
        <strong>Chain broken</strong>
        {v.firstBad ? (
          <>
            {' '}
            at record #{v.firstBad.seq}: {v.firstBad.reason}.
          </>
        ) : (
          '.'
        )}{' '}
        {v.records} records checked at <span className="num">{formatTime(v.checkedAt)} UTC</span>.{' '}
        {v.behindAnchor ? (
          <>
            The chain is intact on its own but ends before the newest record this workstation saw: the case was restored from an older copy, or its newest
            records were cut off. {onAccept ? 'If it was restored from a backup, you may accept it; what was lost is recorded.' : 'Tell your supervisor.'}{' '}
            {onAccept ? (
              <button type="button" className="btn small" onClick={onAccept}>
                Accept restored copy…
              </button>
            ) : null}
          </>
        ) : (
          'Keep this workstation as it is and tell your supervisor.'
        )}
      </Notice>
      {lost}
    </>
  );
}

/** A supervisor accepts a case restored from a backup: the reason and what was lost go on both chains. */
function AcceptRestoredDialog({ onClose, onDone }: { onClose(): void; onDone(a: RestoreAcceptance): void }) {
  const form = useChannelForm('cases.acceptRestored', 'accept-restored');
  const [reason, setReason] = useState('');
  return (
    <Dialog title="Accept restored copy" onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ reason }).then((a) => {
            if (a) onDone(a);
          });
        }}
      >
        <p>
          The case's audit chain is checked up to its own head, then anchored there. The records between that head and the newest one this workstation saw are
          lost; their number, both heads and your reason are recorded on the case and workstation chains.
        </p>
        <Alert message={form.alert} />
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint="For example: which backup, and why it was restored." required autoFocus />
        <FormActions busy={form.busy} label="Accept restored copy" busyLabel="Accepting…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

function RecordTable({ chain, records, follow }: { chain: AuditChain; records: AuditRecord[]; follow(object: string): void }) {
  if (records.length === 0) return <p className="empty">No records.</p>;
  return (
    <table className="grid dense audit">
      <caption className="visually-hidden">{chain === 'case' ? 'Case audit record, newest first' : 'Workstation audit record, newest first'}</caption>
      <TableHead columns={[{ label: 'Seq', right: true }, 'Time (UTC)', 'User', 'Action', 'Object', 'Outcome', 'Details']} />
      <tbody>
        {records.map((r) => (
          <tr key={r.seq}>
            <td className="num right">{r.seq}</td>
            <td className="num nowrap">{formatTime(r.time)}</td>
            <td>{r.user ?? <span className="muted">—</span>}</td>
            <td className="mono nowrap">{r.action}</td>
            <td className="mono">
              {r.object ? (
                <button type="button" className="link-button" title="Show only the records about this object" onClick={() => r.object && follow(r.object)}>
                  {r.object}
                </button>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td>
              <span className={`badge outcome-${r.outcome}`}>{r.outcome}</span>
            </td>
            <td className="details">
              <details>
                <summary className="mono">{oneLine(r.details)}</summary>
                <pre>{JSON.stringify({ details: r.details, prevHash: r.prevHash, hash: r.hash }, null, 2)}</pre>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
