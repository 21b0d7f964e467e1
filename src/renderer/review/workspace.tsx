import { useState, type ReactNode } from 'react';
import { useMedia } from '../api';
import { exhibitName, FaceStage, faceWhere, QualityBadge, QualityFacts, type PickedFace } from '../faces';
import { ComparisonViewer, type Marker } from './viewer';
import { INITIAL_VIEW, SIDES, type Side, type ViewState } from './view-state';

const SIDE_TITLE: Record<Side, string> = { left: 'Left image', right: 'Right image' };

/**
 * The comparison view with what an examiner needs beside it: where each face comes from
 * (the whole recorded frame with its box, exhibit, time, resolution, pixels between the
 * eyes, quality, file hash) and the numbered markers with their notes. The view's state and
 * the markers are owned by the caller, so an assessment can record exactly what was shown.
 */
export function ComparisonWorkspace({
  faces,
  view,
  onView,
  markers,
  onMarkers,
  labels,
  children,
}: {
  faces: Record<Side, PickedFace>;
  view: ViewState;
  onView(s: ViewState): void;
  markers: readonly Marker[];
  /** Absent when the markers are read-only (a saved assessment). */
  onMarkers?(m: Marker[]): void;
  labels?: Record<Side, string>;
  /** The assessment form or record, shown beside the view. */
  children?: ReactNode;
}) {
  const addMarker = onMarkers ? (m: Omit<Marker, 'n' | 'note'>) => onMarkers([...markers, { ...m, n: nextNumber(markers), note: '' }]) : undefined;
  return (
    <div className="workspace">
      <section className="panel workspace-view" aria-label="Comparison view">
        <ComparisonViewer faces={faces} state={view} onState={onView} markers={markers} onMarker={addMarker} labels={labels} />
        <MarkerList markers={markers} onMarkers={onMarkers} />
      </section>
      <div className="workspace-side">
        {children}
        {SIDES.map((side) => (
          <SourceFacts key={side} title={labels?.[side] ?? SIDE_TITLE[side]} picked={faces[side]} />
        ))}
      </div>
    </div>
  );
}

const nextNumber = (markers: readonly Marker[]) => markers.reduce((n, m) => Math.max(n, m.n), 0) + 1;

function MarkerList({ markers, onMarkers }: { markers: readonly Marker[]; onMarkers?(m: Marker[]): void }) {
  if (markers.length === 0) {
    return <p className="muted">{onMarkers ? 'No markers. Press M (or Add marker, then click an image) to mark a feature; each marker gets a number and a note.' : 'No markers.'}</p>;
  }
  return (
    <ol className="marker-list" aria-label="Markers">
      {markers.map((m) => (
        <li key={m.n} value={m.n}>
          <span className="marker-where">
            {m.side === 'left' ? 'Left' : 'Right'}, {m.view} view, at ({Math.round(m.x)}, {Math.round(m.y)})
          </span>
          {onMarkers ? (
            <>
              <label className="visually-hidden" htmlFor={`marker-note-${m.n}`}>
                Note for marker {m.n}
              </label>
              <input id={`marker-note-${m.n}`} className="input" value={m.note} maxLength={1000} placeholder="What this marks" onChange={(e) => onMarkers(markers.map((x) => (x.n === m.n ? { ...x, note: e.target.value } : x)))} />
              <button type="button" className="btn small" aria-label={`Remove marker ${m.n}`} onClick={() => onMarkers(markers.filter((x) => x.n !== m.n))}>
                Remove
              </button>
            </>
          ) : (
            <span>{m.note || <span className="muted">no note</span>}</span>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Where a face was recorded, in the facts a defence expert would ask for. */
function SourceFacts({ title, picked }: { title: string; picked: PickedFace }) {
  const media = useMedia();
  const { face, exhibit, source } = picked;
  const where = faceWhere(face);
  const src = face.frameId !== null ? media(`frame/${face.frameId}/display`) : media(`exhibit/${exhibit.id}/display`);
  return (
    <section className="panel source-facts" aria-label={`${title}: source`}>
      <h2>
        {title}: face {picked.number} of {exhibitName(exhibit)}
      </h2>
      {source ? (
        <FaceStage src={src} alt={`The whole recorded ${face.frameId !== null ? 'frame' : 'photo'}, with face ${picked.number} outlined`} extent={source} faces={[face]} selected={face.id} onSelect={() => undefined} numbers={new Map([[face.id, picked.number]])} />
      ) : null}
      <dl className="facts facts-compact">
        <dt>Exhibit</dt>
        <dd>
          {exhibitName(exhibit)} <span className="muted">({exhibit.kind}, {exhibit.role})</span>
        </dd>
        {where ? (
          <>
            <dt>In the video</dt>
            <dd>{where}</dd>
          </>
        ) : null}
        <dt>Resolution</dt>
        <dd className="num">{source ? `${source.width} × ${source.height} px` : 'unknown'}</dd>
        <dt>Face box</dt>
        <dd className="num">
          {Math.round(face.box.w)} × {Math.round(face.box.h)} px at ({Math.round(face.box.x)}, {Math.round(face.box.y)})
        </dd>
        <dt>Quality</dt>
        <dd>
          <QualityBadge quality={face.quality} />
        </dd>
        <dt>SHA-256 of the file</dt>
        <dd className="hash">{exhibit.sha256}</dd>
      </dl>
      <details>
        <summary>Quality in detail</summary>
        <QualityFacts quality={face.quality} />
      </details>
    </section>
  );
}

/** The view state and markers of one comparison, kept by its screen. */
export function useComparisonState(): { view: ViewState; setView(s: ViewState): void; markers: Marker[]; setMarkers(m: Marker[]): void } {
  const [view, setView] = useState<ViewState>(INITIAL_VIEW);
  const [markers, setMarkers] = useState<Marker[]>([]);
  return { view, setView, markers, setMarkers };
}
