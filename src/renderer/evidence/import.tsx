import { useState } from 'react';
import type { ImportBatch, ImportProgress } from '../../shared';
import { useAction, useChannelForm, useSession } from '../api';
import { Alert, CheckboxField, Form, FormActions, formatCount, formatEta, formatTime, NumberField, PathsField, pathLines, TableHead, TextField } from '../ui';

/** What an import has done so far, from main's progress messages or, before the first one, from the batch record. */
export function progressOfBatch(b: ImportBatch): ImportProgress {
  return {
    type: 'import.progress',
    batchId: b.id,
    status: b.status,
    filesTotal: b.filesTotal,
    filesDone: b.filesDone,
    failed: b.failed,
    duplicates: b.duplicates,
    alreadyInCase: b.alreadyInCase,
    facesFound: b.facesFound,
    filesPerSec: 0,
    etaSec: null,
    current: null,
  };
}

/** An import main has just started or resumed, until its first progress message. */
export function startedProgress(batchId: string, filesTotal: number): ImportProgress {
  return { type: 'import.progress', batchId, status: 'running', filesTotal, filesDone: 0, failed: 0, duplicates: 0, alreadyInCase: 0, facesFound: 0, filesPerSec: 0, etaSec: null, current: null };
}

/** Choosing evidence to import: files and folders, how video is sampled, and whether to look for small faces. */
export function ImportForm({ onStarted }: { onStarted(batchId: string, filesTotal: number): void }) {
  const { bridge } = useSession();
  const form = useChannelForm('evidence.import', 'import');
  const [paths, setPaths] = useState('');
  const [exhibitRef, setExhibitRef] = useState('');
  const [fps, setFps] = useState('2');
  const [smallFaces, setSmallFaces] = useState(true);

  return (
    <section className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import evidence</h2>
      <Form
        onSubmit={() => {
          const options = { videoFramesPerSecond: fps.trim() === '' ? Number.NaN : Number(fps), smallFaces, ...(exhibitRef.trim() ? { exhibitRef: exhibitRef.trim() } : {}) };
          void form.submit({ paths: pathLines(paths), options }).then((r) => {
            if (!r) return;
            setPaths('');
            onStarted(r.batchId, r.filesTotal);
          });
        }}
      >
        <Alert message={form.alert} />
        <PathsField
          id={form.fieldId('paths')}
          label="Files and folders"
          value={paths}
          onChange={setPaths}
          multiple
          kinds={['files', 'folder']}
          choose={bridge.choosePaths?.bind(bridge)}
          pathForFile={bridge.pathForFile?.bind(bridge)}
          error={form.errors.paths}
          hint="One path a line; folders are read with their sub-folders. Originals are read only, hashed (SHA-256) and never changed."
        />
        <TextField id={form.fieldId('options.exhibitRef')} label="Exhibit reference" value={exhibitRef} onChange={setExhibitRef} error={form.errors['options.exhibitRef']} hint="As on the bag label, e.g. JD/3 (optional)." maxLength={64} />
        <div className="field-row">
          <NumberField
            id={form.fieldId('options.videoFramesPerSecond')}
            label="Video frames per second"
            value={fps}
            onChange={setFps}
            min={0.1}
            max={10}
            step={0.1}
            error={form.errors['options.videoFramesPerSecond']}
            hint="Frames sampled from each second of video, besides scene changes (0.1 to 10)."
          />
          <CheckboxField
            id={form.fieldId('options.smallFaces')}
            label="Search for small faces"
            checked={smallFaces}
            onChange={setSmallFaces}
            error={form.errors['options.smallFaces']}
            hint="Also looks at full resolution, for faces far from a CCTV camera. Slower."
          />
        </div>
        <FormActions busy={form.busy} label="Import" busyLabel="Starting…" />
      </Form>
    </section>
  );
}

const STATUS_WORDS: Record<ImportProgress['status'], string> = {
  running: 'Importing',
  done: 'Import finished',
  cancelled: 'Import cancelled',
  interrupted: 'Import interrupted',
};

/** The running (or last) import: a bar with files done of total, what was found, the rate and the time left; Cancel while it runs. */
export function ImportProgressPanel({ progress, canCancel, onResume }: { progress: ImportProgress; canCancel: boolean; onResume(batchId: string): void }) {
  const cancel = useAction();
  const [cancelling, setCancelling] = useState(false);
  const running = progress.status === 'running';
  const pct = progress.filesTotal > 0 ? Math.round((progress.filesDone / progress.filesTotal) * 100) : running ? 0 : 100;

  return (
    <section className={`panel progress-panel progress-${progress.status}`} aria-labelledby="progress-title">
      <div className="panel-head">
        <h2 id="progress-title">{STATUS_WORDS[progress.status]}</h2>
        {running && canCancel ? (
          <button
            type="button"
            className="btn small danger"
            aria-disabled={cancelling}
            onClick={() => {
              if (cancelling) return;
              setCancelling(true);
              void cancel.run('evidence.cancelImport', { batchId: progress.batchId }).then((b) => {
                if (!b) setCancelling(false);
              });
            }}
          >
            {cancelling ? 'Cancelling…' : 'Cancel import'}
          </button>
        ) : null}
        {(progress.status === 'cancelled' || progress.status === 'interrupted') && canCancel ? (
          <button type="button" className="btn small" onClick={() => onResume(progress.batchId)}>
            Resume import
          </button>
        ) : null}
      </div>
      <Alert message={cancel.alert} />
      <progress className="progress" max={Math.max(1, progress.filesTotal)} value={progress.filesDone} aria-label="Files imported" aria-valuetext={`${progress.filesDone} of ${progress.filesTotal} files`}>
        {pct}%
      </progress>
      <dl className="counts counts-wide" aria-live="polite">
        <div>
          <dt>Files</dt>
          <dd>
            {formatCount(progress.filesDone)} of {formatCount(progress.filesTotal)}
          </dd>
        </div>
        <div>
          <dt>Faces found</dt>
          <dd>{formatCount(progress.facesFound)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{formatCount(progress.failed)}</dd>
        </div>
        <div>
          <dt>Duplicates</dt>
          <dd>{formatCount(progress.duplicates)}</dd>
        </div>
        <div>
          <dt>Already in the case</dt>
          <dd>{formatCount(progress.alreadyInCase)}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>{progress.filesPerSec > 0 ? `${progress.filesPerSec.toFixed(2)} files/s` : '—'}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd className="small-dd">{running ? formatEta(progress.etaSec) : '—'}</dd>
        </div>
      </dl>
      {running && progress.current ? (
        <p className="muted">
          Now reading <span className="mono">{progress.current}</span>
        </p>
      ) : null}
      {progress.alreadyInCase > 0 ? (
        <p className="muted">
          {formatCount(progress.alreadyInCase)} {progress.alreadyInCase === 1 ? 'file was' : 'files were'} already in the case, the same file at the same path, so nothing was imported again for{' '}
          {progress.alreadyInCase === 1 ? 'it' : 'them'}.
        </p>
      ) : null}
      {progress.status === 'cancelled' ? <p className="muted">What was imported before cancelling stays in the case. Resume to import the rest; nothing is imported twice.</p> : null}
      {progress.status === 'interrupted' ? <p className="muted">The import stopped before it finished. Resume it to import the rest; nothing is imported twice.</p> : null}
    </section>
  );
}

/** Every import of the case, with Resume for those that stopped before the end. */
export function BatchesTable({ batches, canResume, onResume, busy }: { batches: ImportBatch[]; canResume: boolean; onResume(batchId: string): void; busy: boolean }) {
  if (batches.length === 0) return <p className="muted">No imports yet.</p>;
  return (
    <table className="grid dense">
      <caption className="visually-hidden">Imports of this case, newest first</caption>
      <TableHead columns={['Started (UTC)', 'By', 'Status', { label: 'Files', right: true }, { label: 'Faces', right: true }, 'Sources']} actions />
      <tbody>
        {batches.map((b) => (
          <tr key={b.id}>
            <td className="num nowrap">{formatTime(b.startedAt)}</td>
            <td>{b.startedBy}</td>
            <td>
              <span className={`badge batch-${b.status}`}>{b.status}</span>
            </td>
            <td className="num right">
              {b.filesDone}/{b.filesTotal}
              {b.failed > 0 ? <span className="muted"> ({b.failed} failed)</span> : null}
            </td>
            <td className="num right">{b.facesFound}</td>
            <td className="mono wrap small-text">
              {b.exhibitRef ? <strong>{b.exhibitRef}: </strong> : null}
              {b.sources.join(', ')}
            </td>
            <td className="actions">
              {canResume && (b.status === 'interrupted' || b.status === 'cancelled') ? (
                <button type="button" className="btn small" aria-disabled={busy} aria-label={`Resume import started ${formatTime(b.startedAt)}`} onClick={() => !busy && onResume(b.id)}>
                  Resume
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
