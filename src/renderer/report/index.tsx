import { useState, type ChangeEvent } from 'react';
import type { ReportFormat, ReportVerification, ValidationSummary } from '../../shared';
import { may, useAction, useLoad, useUser } from '../api';
import { Alert, CheckboxField, formatCount, formatTime, LoadStatus, Notice, Page } from '../ui';

/** Bytes as base64 in slices, so a large report does not overflow the argument list of fromCharCode. */
function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function download(base64: string, mime: string, fileName: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once click() returns; the URL is only a handle.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Validation records that can be attached to the report: those of the case's own pack (name and
 * version), none ticked by default. Records of other packs are counted, not offered: main refuses them.
 */
export function AttachValidations({ chosen, onChange }: { chosen: readonly string[]; onChange(ids: string[]): void }) {
  const { loaded: info } = useLoad('cases.info', {});
  const { loaded: records } = useLoad('validation.list', {});
  if (info.state !== 'ready' || records.state !== 'ready') return null;
  const pack = info.value.pack;
  const ofPack = (v: ValidationSummary) => pack !== null && v.pack === pack.name && v.packVersion === pack.version;
  const offered = records.value.filter(ofPack);
  const others = records.value.length - offered.length;
  return (
    <fieldset className="report-validations" aria-describedby="report-validations-note">
      <legend>Attach validation records</legend>
      <p id="report-validations-note" className="muted">
        {pack ? (
          <>
            Local validations of this case&apos;s pack, <span className="mono">{pack.name}</span> {pack.version}: each one ticked is a section of the report (data set, figures per
            group with intervals, DET curve).
          </>
        ) : (
          'This case has no model pack recorded yet, so no validation can be attached.'
        )}
        {others > 0 ? ` ${others} record(s) of other packs are not offered: their figures say nothing about this case's searches.` : ''}
      </p>
      {offered.length === 0 ? (
        <p className="empty">No validation of this case&apos;s pack on this workstation. A supervisor runs one on the Validation screen.</p>
      ) : (
        offered.map((v) => (
          <CheckboxField
            key={v.id}
            id={`attach-${v.id}`}
            label={`${v.description} (${formatCount(v.people)} people${v.grouping ? `, by ${v.grouping}` : ''}; run ${formatTime(v.createdAt)} UTC by ${v.createdBy})`}
            checked={chosen.includes(v.id)}
            onChange={(on) => onChange(on ? [...chosen, v.id] : chosen.filter((x) => x !== v.id))}
          />
        ))
      )}
    </fieldset>
  );
}

/**
 * The case report: the HTML report as main writes it (every value escaped there; the window's
 * policy runs no script in it), exported as PDF for disclosure or HTML, and a report file
 * checked against the case.
 */
export function ReportScreen() {
  const user = useUser();
  const [validations, setValidations] = useState<string[]>([]);
  const { loaded } = useLoad('report.preview', { validations });
  const exporter = useAction();
  const verifier = useAction();
  const [exported, setExported] = useState<string | null>(null);
  const [verified, setVerified] = useState<{ file: string; v: ReportVerification } | null>(null);
  const canWrite = may(user.role, 'report.create');

  const exportAs = async (format: ReportFormat) => {
    setExported(null);
    const file = await exporter.run('report.create', { format, validations });
    if (!file) return;
    download(file.contentBase64, file.mime, file.fileName);
    const attached = file.covers.validations?.length ? `, with ${file.covers.validations.length} validation record(s) attached` : '';
    setExported(`Exported ${file.fileName} (${file.bytes.toLocaleString('en-GB')} bytes${attached}). Its SHA-256, ${file.sha256}, and what it covers are recorded on the case's audit record.`);
  };

  const verifyFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    setVerified(null);
    const v = await verifier.run('report.verify', { contentBase64: toBase64(new Uint8Array(await f.arrayBuffer())) });
    if (v) setVerified({ file: f.name, v });
  };

  return (
    <Page
      title="Report"
      actions={
        canWrite ? (
          <>
            <button type="button" className="btn primary" disabled={exporter.busy} onClick={() => void exportAs('pdf')}>
              Export PDF
            </button>
            <button type="button" className="btn" disabled={exporter.busy} onClick={() => void exportAs('html')}>
              Export HTML
            </button>
          </>
        ) : null
      }
    >
      {canWrite ? null : <p className="muted">Auditors read the report and check report files; analysts, reviewers and supervisors export it.</p>}
      <AttachValidations chosen={validations} onChange={setValidations} />
      <Alert message={exporter.alert} />
      {exporter.busy ? <p className="muted">Writing the report…</p> : null}
      {exported ? <Notice tone="good">{exported}</Notice> : null}
      <div className="toolbar report-verify">
        <label htmlFor="report-file">Check a report file against this case</label>
        <input id="report-file" type="file" accept=".pdf,.html,application/pdf,text/html" disabled={verifier.busy} onChange={(e) => void verifyFile(e)} />
      </div>
      <Alert message={verifier.alert} />
      {verified ? (
        <Notice tone={verified.v.ok ? 'good' : 'bad'}>
          <strong>{verified.v.ok ? `${verified.file} verifies against this case.` : `${verified.file} does not verify against this case.`}</strong>
          <ul>
            {verified.v.findings.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <LoadStatus loaded={loaded} loading="Reading the case's records and checking the originals…" />
      {loaded.state === 'ready' ? (
        <>
          <p className="muted">
            As at audit record {loaded.value.covers.headSeq}: {loaded.value.examined} comparison(s) examined; {loaded.value.notExamined} candidate(s) not examined, and so not presented as results.
          </p>
          {/* Written by main from the case's records with every value escaped; nothing in it runs. */}
          <article className="report-doc" aria-label="Case report" dangerouslySetInnerHTML={{ __html: loaded.value.html }} />
        </>
      ) : null}
    </Page>
  );
}
