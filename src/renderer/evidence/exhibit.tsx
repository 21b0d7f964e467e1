import { useState } from 'react';
import { visibleText, type ExhibitCheck, type ExhibitDetails, type FaceSummary } from '../../shared';
import { may, useAction, useLoad, useMedia, useUser } from '../api';
import { byQuality, exhibitName, FaceImage, FacePair, FaceStage, faceNumbers, idParam, QualityBadge, QualityFacts } from '../faces';
import { Alert, formatBytes, formatMs, formatTime, Page, ProblemPage, TableHead } from '../ui';
import { Verification } from './grid';
import { FramesStrip, TrackTimeline } from './video';

export function ExhibitScreen({ params }: { params: URLSearchParams }) {
  const id = idParam(params, 'id');
  if (id === null) {
    return <ProblemPage title="Exhibit" message="No exhibit is named in this address. Choose one from the evidence." href="#/evidence" link="Go to the evidence" />;
  }
  return <ExhibitView key={id} exhibitId={id} initialFace={idParam(params, 'face')} />;
}

/** One exhibit: the picture (or the sampled frames of a video) with its faces outlined, each face's quality, and what may be done with a face. */
function ExhibitView({ exhibitId, initialFace }: { exhibitId: number; initialFace: number | null }) {
  const { loaded } = useLoad('evidence.get', { exhibitId });
  const [selected, setSelected] = useState<number | null>(initialFace);
  const [frameId, setFrameId] = useState<number | null>(null);
  const verify = useAction();
  const [check, setCheck] = useState<ExhibitCheck[] | null>(null);
  const media = useMedia();

  if (loaded.state === 'loading') {
    return (
      <Page title="Exhibit">
        <p className="muted">Loading the exhibit…</p>
      </Page>
    );
  }
  if (loaded.state === 'failed') {
    return <ProblemPage title="Exhibit" message={loaded.message} href="#/evidence" link="Go to the evidence" />;
  }
  const d = loaded.value;
  const e = d.exhibit;
  const numbers = faceNumbers(d.faces);
  const face = d.faces.find((f) => f.id === selected) ?? null;
  const select = (f: FaceSummary) => {
    setSelected(f.id);
    if (f.frameId !== null) setFrameId(f.frameId);
  };
  const frame = e.kind === 'video' ? (d.frames.find((f) => f.id === (frameId ?? face?.frameId)) ?? d.frames[0] ?? null) : null;

  return (
    <Page
      title={exhibitName(e)}
      actions={
        <>
          <a className="btn" href="#/evidence">
            All evidence
          </a>
          <button
            type="button"
            className="btn"
            aria-disabled={verify.busy}
            onClick={() => {
              if (verify.busy) return;
              setCheck(null);
              void verify.run('evidence.verify', { exhibitId }).then((r) => r && setCheck(r));
            }}
          >
            {verify.busy ? 'Verifying…' : 'Verify original'}
          </button>
        </>
      }
    >
      <Alert message={verify.alert} />
      {check ? <Verification checks={check} /> : null}
      <div className="columns columns-wide-left">
        <div className="stack">
          {e.status === 'failed' ? <Alert message={`This file could not be used: ${visibleText(e.failure ?? 'no reason was recorded')}`} /> : null}
          {e.notice ? <p className="notice">Not everything in this file was analysed. {visibleText(e.notice)}</p> : null}
          {e.status === 'duplicate' ? (
            <p className="notice">
              This file has the same content as <a href={`#/exhibit?id=${e.duplicateOf ?? ''}`}>exhibit {e.duplicateOf}</a>, where its faces are.
            </p>
          ) : null}
          {e.status === 'done' && e.kind === 'image' && e.width && e.height ? (
            <section className="panel" aria-label="Image">
              <FaceStage src={media(`exhibit/${e.id}/display`)} alt={`${visibleText(e.fileName)}, with ${d.faces.length} faces outlined`} extent={{ width: e.width, height: e.height }} faces={d.faces} selected={selected} onSelect={select} numbers={numbers} />
            </section>
          ) : null}
          {e.status === 'done' && e.kind === 'video' ? (
            <>
              {frame ? (
                <section className="panel" aria-label="Frame">
                  <p className="muted stage-caption">
                    Frame at <span className="num">{formatMs(frame.timeMs)}</span>
                  </p>
                  <FaceStage
                    src={media(`frame/${frame.id}/display`)}
                    alt={`Frame at ${formatMs(frame.timeMs)} of ${visibleText(e.fileName)}`}
                    extent={{ width: frame.width, height: frame.height }}
                    faces={d.faces.filter((f) => f.frameId === frame.id)}
                    selected={selected}
                    onSelect={select}
                    numbers={numbers}
                  />
                </section>
              ) : (
                <p className="empty">No face was found in the frames sampled from this video.</p>
              )}
              <TrackTimeline details={d} selected={face} onSelect={select} />
              <FramesStrip details={d} current={frame?.id ?? null} onSelect={setFrameId} />
            </>
          ) : null}
          {d.faces.length > 0 ? <FacesTable details={d} numbers={numbers} selected={selected} onSelect={select} /> : null}
        </div>
        <div className="stack">
          {face ? (
            <SelectedFace face={face} number={numbers.get(face.id) ?? 0} exhibitId={e.id} />
          ) : d.faces.length > 0 ? (
            <p className="empty">Choose a face on the picture or in the table to see its quality and use it.</p>
          ) : null}
          <ExhibitFacts details={d} />
        </div>
      </div>
    </Page>
  );
}

function SelectedFace({ face, number, exhibitId }: { face: FaceSummary; number: number; exhibitId: number }) {
  const user = useUser();
  const ref = `exhibit=${exhibitId}&face=${face.id}`;
  return (
    <section className="panel" aria-labelledby="face-title">
      <h2 id="face-title">Face {number}</h2>
      <FacePair faceId={face.id} alt={`Face ${number} with its surroundings`} alignedAlt={`Face ${number} aligned as the model saw it`} />
      <QualityFacts quality={face.quality} />
      <dl className="facts facts-compact">
        <dt>Detector score</dt>
        <dd className="num">{face.detectorScore.toFixed(3)}</dd>
        <dt>Box (px)</dt>
        <dd className="num">
          {Math.round(face.box.w)} × {Math.round(face.box.h)} at {Math.round(face.box.x)}, {Math.round(face.box.y)}
        </dd>
        {face.timeMs !== null ? (
          <>
            <dt>Time in video</dt>
            <dd className="num">{formatMs(face.timeMs)}</dd>
          </>
        ) : null}
        {face.trackId !== null ? (
          <>
            <dt>Track</dt>
            <dd className="num">{face.trackId}</dd>
          </>
        ) : null}
        <dt>Encoded by</dt>
        <dd className="mono">{face.model}</dd>
      </dl>
      <div className="form-actions wrap-actions">
        {may(user.role, 'search.run') ? (
          <a className="btn primary" href={`#/search?${ref}`}>
            Search with this face
          </a>
        ) : null}
        {may(user.role, 'compare.faces') ? (
          <a className="btn" href={`#/compare?a=${face.id}&ae=${exhibitId}`}>
            Compare 1:1
          </a>
        ) : null}
        {may(user.role, 'watchlists.addEntry') ? (
          <a className="btn" href={`#/watchlists?addExhibit=${exhibitId}&addFace=${face.id}`}>
            Add to a watch list
          </a>
        ) : null}
      </div>
    </section>
  );
}

function FacesTable({ details, numbers, selected, onSelect }: { details: ExhibitDetails; numbers: Map<number, number>; selected: number | null; onSelect(f: FaceSummary): void }) {
  const video = details.exhibit.kind === 'video';
  return (
    <section className="panel" aria-labelledby="faces-title">
      <h2 id="faces-title">Faces ({details.faces.length})</h2>
      <table className="grid dense">
        <caption className="visually-hidden">Faces in this exhibit, best quality first</caption>
        <TableHead columns={['Face', 'Crop', 'Quality', { label: 'Eyes (px)', right: true }, { label: 'Detector', right: true }, ...(video ? ['Time', 'Track'] : []), 'Why insufficient']} />
        <tbody>
          {byQuality(details.faces).map((f) => {
            const n = numbers.get(f.id) ?? 0;
            return (
              <tr key={f.id} className={selected === f.id ? 'row-current' : undefined}>
                <th scope="row">
                  <button type="button" className="btn small" aria-pressed={selected === f.id} onClick={() => onSelect(f)}>
                    Face {n}
                  </button>
                </th>
                <td>
                  <FaceImage faceId={f.id} alt="" size="s" />
                </td>
                <td>
                  <QualityBadge quality={f.quality} />
                </td>
                <td className="num right">{f.quality.interEyePx.toFixed(1)}</td>
                <td className="num right">{f.detectorScore.toFixed(2)}</td>
                {video ? (
                  <>
                    <td className="num">{f.timeMs !== null ? formatMs(f.timeMs) : '—'}</td>
                    <td className="num">{f.trackId ?? '—'}</td>
                  </>
                ) : null}
                <td className="small-text">{f.quality.reasons.join('; ') || <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function ExhibitFacts({ details }: { details: ExhibitDetails }) {
  const e = details.exhibit;
  return (
    <section className="panel" aria-labelledby="exhibit-facts-title">
      <h2 id="exhibit-facts-title">Exhibit</h2>
      <dl className="facts facts-compact">
        <dt>Reference</dt>
        <dd className="mono">{e.exhibitRef ?? <span className="muted">none</span>}</dd>
        <dt>File</dt>
        <dd className="mono wrap">{visibleText(e.sourcePath)}</dd>
        <dt>SHA-256</dt>
        <dd className="mono hash wrap">{e.sha256 || '—'}</dd>
        <dt>Type</dt>
        <dd>
          {e.kind}
          {e.fileType ? ` (${e.fileType})` : ''}, {formatBytes(e.bytes)}
        </dd>
        {e.width && e.height ? (
          <>
            <dt>Size</dt>
            <dd className="num">
              {e.width} × {e.height} px
            </dd>
          </>
        ) : null}
        {e.durationMs !== null ? (
          <>
            <dt>Duration</dt>
            <dd className="num">{formatMs(e.durationMs)}</dd>
          </>
        ) : null}
        <dt>Capture time</dt>
        <dd>{e.captureTime ? <span className="num">{e.captureTime} (camera clock)</span> : <span className="muted">not recorded in the file</span>}</dd>
        {e.camera ? (
          <>
            <dt>Camera</dt>
            <dd>{e.camera}</dd>
          </>
        ) : null}
        <dt>Faces</dt>
        <dd className="num">
          {e.faceCount}
          {e.kind === 'video' ? `, in ${e.trackCount} tracks, ${details.frames.length} frames with faces` : ''}
        </dd>
        <dt>Role</dt>
        <dd>{e.role}</dd>
        <dt>Imported</dt>
        <dd>
          <span className="num">{formatTime(e.importedAt)} UTC</span> by {e.importedBy}
        </dd>
      </dl>
    </section>
  );
}
