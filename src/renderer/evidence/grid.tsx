import { useEffect, useRef, useState } from 'react';
import { visibleText, type ExhibitCheck, type ExhibitSummary, type ImportProgress } from '../../shared';
import { may, useAction, useEvents, useLoad, useMedia, useUser } from '../api';
import { Alert, formatBytes, LoadStatus, Notice, Page, pageLabel, TableHead } from '../ui';
import { BatchesTable, ImportForm, ImportProgressPanel, progressOfBatch, startedProgress } from './import';

const PAGE = 60;
/** Failed files and duplicates are listed in full up to this many; the count says when there are more. */
const LIST_MAX = 500;
/**
 * While an import runs, only the grid is re-read, at most this often, to show new exhibits:
 * every read of a case is an audit record, and a long import must not flood the chain.
 */
const GRID_REFRESH_MS = 10_000;

/** The case's exhibits: import, progress, the grid of thumbnails, failed files with reasons, duplicates, and verifying originals. */
export function EvidenceScreen() {
  const user = useUser();
  const examiner = may(user.role, 'evidence.import');
  const [offset, setOffset] = useState(0);
  const [version, setVersion] = useState(0);
  const [gridVersion, setGridVersion] = useState(0);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const lastGridRefresh = useRef(0);
  const grid = useLoad('evidence.list', { status: 'done', offset, limit: PAGE }, `${offset}:${version}:${gridVersion}`);
  const failed = useLoad('evidence.list', { status: 'failed', offset: 0, limit: LIST_MAX }, `f:${version}`);
  const duplicates = useLoad('evidence.list', { status: 'duplicate', offset: 0, limit: LIST_MAX }, `d:${version}`);
  const batches = useLoad('evidence.batches', {}, `b:${version}`);
  const resume = useAction();
  const verify = useAction();
  const [checks, setChecks] = useState<ExhibitCheck[] | null>(null);

  const refresh = () => {
    lastGridRefresh.current = Date.now();
    setVersion((v) => v + 1);
  };

  useEvents((e) => {
    if (e.type !== 'import.progress') return;
    setProgress(e);
    if (e.status !== 'running') refresh();
    else if (Date.now() - lastGridRefresh.current > GRID_REFRESH_MS) {
      lastGridRefresh.current = Date.now();
      setGridVersion((v) => v + 1);
    }
  });

  // Coming back to the screen while an import runs: show it from its record until main's next message.
  const running = batches.loaded.state === 'ready' ? batches.loaded.value.find((b) => b.status === 'running') : undefined;
  useEffect(() => {
    if (running) setProgress((p) => p ?? progressOfBatch(running));
  }, [running]);

  const startResume = async (batchId: string) => {
    const r = await resume.run('evidence.resumeImport', { batchId });
    if (r) {
      setProgress(startedProgress(r.batchId, r.filesTotal));
      refresh();
    }
  };

  const runVerify = async () => {
    setChecks(null);
    const r = await verify.run('evidence.verify', {});
    if (r) setChecks(r);
  };

  const total = grid.loaded.state === 'ready' ? grid.loaded.value.total : 0;
  const shown = grid.loaded.state === 'ready' ? grid.loaded.value.exhibits.length : 0;

  return (
    <Page
      title="Evidence"
      actions={
        <button type="button" className="btn" aria-disabled={verify.busy} onClick={() => !verify.busy && void runVerify()}>
          {verify.busy ? 'Verifying originals…' : 'Verify originals'}
        </button>
      }
    >
      <Alert message={verify.alert ?? resume.alert} />
      {checks ? <Verification checks={checks} /> : null}
      {progress ? <ImportProgressPanel progress={progress} canCancel={examiner} onResume={(id) => void startResume(id)} /> : null}
      <div className={examiner ? 'columns columns-wide-left' : undefined}>
        <section className="panel" aria-labelledby="exhibits-title">
          <div className="panel-head">
            <h2 id="exhibits-title">Exhibits</h2>
            <div className="toolbar">
              <span className="num muted">{grid.loaded.state === 'ready' ? pageLabel(offset, shown, total) : ''}</span>
              <button type="button" className="btn small" aria-disabled={offset === 0} onClick={() => offset > 0 && setOffset(Math.max(0, offset - PAGE))}>
                Previous
              </button>
              <button type="button" className="btn small" aria-disabled={offset + PAGE >= total} onClick={() => offset + PAGE < total && setOffset(offset + PAGE)}>
                Next
              </button>
            </div>
          </div>
          <LoadStatus loaded={grid.loaded} loading="Loading exhibits…" />
          {grid.loaded.state === 'ready' && total === 0 ? <p className="empty">No exhibits yet.{examiner ? ' Import image and video files or folders.' : ''}</p> : null}
          {grid.loaded.state === 'ready' && total > 0 ? <ExhibitGrid exhibits={grid.loaded.value.exhibits} /> : null}
        </section>
        {examiner ? (
          <ImportForm
            onStarted={(batchId, filesTotal) => {
              setProgress(startedProgress(batchId, filesTotal));
              refresh();
            }}
          />
        ) : null}
      </div>
      <section className="panel section-gap" aria-labelledby="batches-title">
        <h2 id="batches-title">Imports</h2>
        <LoadStatus loaded={batches.loaded} loading="Loading imports…" />
        {batches.loaded.state === 'ready' ? <BatchesTable batches={batches.loaded.value} canResume={examiner} busy={resume.busy} onResume={(id) => void startResume(id)} /> : null}
      </section>
      {/* Both lists show only when they have something; a list that could not be read says so rather than looking empty. */}
      {failed.loaded.state === 'failed' ? <Alert message={failed.loaded.message} /> : null}
      {duplicates.loaded.state === 'failed' ? <Alert message={duplicates.loaded.message} /> : null}
      {failed.loaded.state === 'ready' && failed.loaded.value.total > 0 ? <FailedFiles exhibits={failed.loaded.value.exhibits} total={failed.loaded.value.total} /> : null}
      {duplicates.loaded.state === 'ready' && duplicates.loaded.value.total > 0 ? <Duplicates exhibits={duplicates.loaded.value.exhibits} total={duplicates.loaded.value.total} /> : null}
    </Page>
  );
}

const ROLE_WORDS: Record<ExhibitSummary['role'], string | null> = { evidence: null, probe: 'Probe image', reference: 'Watch-list reference' };

function ExhibitGrid({ exhibits }: { exhibits: ExhibitSummary[] }) {
  const media = useMedia();
  return (
    <ul className="exhibit-grid" aria-label="Exhibits">
      {exhibits.map((e) => (
        <li key={e.id}>
          <a className="exhibit-card" href={`#/exhibit?id=${e.id}`}>
            <span className="exhibit-thumb">
              <img src={media(`exhibit/${e.id}/thumb`)} alt="" loading="lazy" decoding="async" />
            </span>
            <span className="exhibit-name wrap">{visibleText(e.fileName)}</span>
            <span className="exhibit-meta">
              {e.exhibitRef ? <span className="mono">{e.exhibitRef}</span> : null}
              <span>{e.kind}</span>
              <span className="num">
                {e.faceCount} {e.faceCount === 1 ? 'face' : 'faces'}
              </span>
              {e.kind === 'video' ? (
                <span className="num">
                  {e.trackCount} {e.trackCount === 1 ? 'track' : 'tracks'}
                </span>
              ) : null}
            </span>
            {ROLE_WORDS[e.role] ? <span className="badge">{ROLE_WORDS[e.role]}</span> : null}
          </a>
        </li>
      ))}
    </ul>
  );
}

function FailedFiles({ exhibits, total }: { exhibits: ExhibitSummary[]; total: number }) {
  return (
    <section className="panel section-gap" aria-labelledby="failed-title">
      <h2 id="failed-title">
        Failed files <span className="badge outcome-failed">{total}</span>
      </h2>
      <p className="muted">These files were recorded but could not be used. Each says why.</p>
      <table className="grid dense">
        <caption className="visually-hidden">Files that could not be imported, with the reason</caption>
        <TableHead columns={['File', 'Reason', 'SHA-256', { label: 'Size', right: true }]} />
        <tbody>
          {exhibits.map((e) => (
            <tr key={e.id}>
              <FileHeader path={e.sourcePath} />
              <td>{visibleText(e.failure ?? 'No reason was recorded.')}</td>
              <td className="mono hash wrap">{e.sha256 || '—'}</td>
              <td className="num right nowrap">{formatBytes(e.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > exhibits.length ? <p className="muted">The first {exhibits.length} of {total} are shown.</p> : null}
    </section>
  );
}

/** A row's header in a table of files: the file's path as it was found, any hidden characters in it shown. */
function FileHeader({ path }: { path: string }) {
  return (
    <th scope="row" className="mono wrap">
      {visibleText(path)}
    </th>
  );
}

function Duplicates({ exhibits, total }: { exhibits: ExhibitSummary[]; total: number }) {
  return (
    <section className="panel section-gap" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">
        Duplicates <span className="badge">{total}</span>
      </h2>
      <p className="muted">Files with the same content (SHA-256) as an exhibit already in the case. They are recorded, not analysed again.</p>
      <table className="grid dense">
        <caption className="visually-hidden">Duplicate files and the first copy of each</caption>
        <TableHead columns={['File', 'Same content as', 'SHA-256']} />
        <tbody>
          {exhibits.map((e) => (
            <tr key={e.id}>
              <FileHeader path={e.sourcePath} />
              <td>{e.duplicateOf !== null ? <a href={`#/exhibit?id=${e.duplicateOf}`}>Exhibit {e.duplicateOf} (first copy)</a> : '—'}</td>
              <td className="mono hash wrap">{e.sha256}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > exhibits.length ? <p className="muted">The first {exhibits.length} of {total} are shown.</p> : null}
    </section>
  );
}

/** The outcome of re-hashing originals: all match, or which do not and why. */
export function Verification({ checks }: { checks: ExhibitCheck[] }) {
  const bad = checks.filter((c) => !c.ok);
  const moved = checks.filter((c) => c.readFrom !== c.sourcePath).length;
  return (
    <Notice tone={bad.length === 0 ? 'good' : 'bad'}>
      {bad.length === 0 ? (
        <>
          <strong>Originals verified:</strong> all {checks.length} files match the SHA-256 taken at import.
          {moved > 0 ? ` ${moved} of them were read where the case records them to be now, not where they were imported from.` : null}
        </>
      ) : (
        <>
          <strong>
            {bad.length} of {checks.length} originals do not match or cannot be read:
          </strong>
          <ul className="plain-list">
            {bad.map((c) => (
              <li key={c.exhibitId}>
                <a href={`#/exhibit?id=${c.exhibitId}`}>Exhibit {c.exhibitId}</a> <span className="mono wrap">{visibleText(c.readFrom)}</span>
                {c.readFrom !== c.sourcePath ? <> (imported from <span className="mono wrap">{visibleText(c.sourcePath)}</span>)</> : null}: {visibleText(c.reason ?? '')}
              </li>
            ))}
          </ul>
        </>
      )}
    </Notice>
  );
}

