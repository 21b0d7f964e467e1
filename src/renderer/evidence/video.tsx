import type { ExhibitDetails, FaceSummary } from '../../shared';
import { useMedia } from '../api';
import { FaceImage } from '../faces';
import { formatMs } from '../ui';
import { spanPercent } from './timeline';

/** The tracks of a video, one person passing the camera each (as the tracker judged it), on a bar of the video's length. */
export function TrackTimeline({ details, selected, onSelect }: { details: ExhibitDetails; selected: FaceSummary | null; onSelect(f: FaceSummary): void }) {
  const { tracks, faces, exhibit } = details;
  if (tracks.length === 0) return null;
  const duration = exhibit.durationMs ?? Math.max(...tracks.map((t) => t.lastMs), 1);
  const byId = new Map(faces.map((f) => [f.id, f]));
  return (
    <section className="panel" aria-labelledby="tracks-title">
      <h2 id="tracks-title">Tracks ({tracks.length})</h2>
      <p className="muted">Faces followed from frame to frame. A track is the tracker&apos;s judgement that the faces are one person; it may split one person or, rarely, join two.</p>
      <ol className="timeline">
        {tracks.map((t) => {
          const best = byId.get(t.bestFaceId);
          const span = spanPercent(t.firstMs, t.lastMs, duration);
          const label = `Track ${t.id}: ${formatMs(t.firstMs)} to ${formatMs(t.lastMs)}, ${t.faceCount} ${t.faceCount === 1 ? 'face' : 'faces'}`;
          return (
            <li key={t.id} className={selected?.trackId === t.id ? 'timeline-row row-current' : 'timeline-row'}>
              <button type="button" className="timeline-pick" aria-label={`${label}; show its best face`} aria-pressed={selected?.trackId === t.id} onClick={() => best && onSelect(best)}>
                <FaceImage faceId={t.bestFaceId} alt="" size="s" />
              </button>
              <span className="timeline-label">
                <strong>Track {t.id}</strong>
                <span className="num muted">
                  {formatMs(t.firstMs)}–{formatMs(t.lastMs)} · {t.faceCount} {t.faceCount === 1 ? 'face' : 'faces'}
                </span>
              </span>
              <span className="timeline-bar" aria-hidden="true">
                <span className="timeline-span" style={{ left: `${span.left}%`, width: `${span.width}%` }} />
              </span>
            </li>
          );
        })}
      </ol>
      <p className="timeline-scale num muted" aria-hidden="true">
        <span>0:00.000</span>
        <span>{formatMs(duration)}</span>
      </p>
    </section>
  );
}

/** The sampled frames in which faces were found; choosing one shows it above with its faces outlined. */
export function FramesStrip({ details, current, onSelect }: { details: ExhibitDetails; current: number | null; onSelect(frameId: number): void }) {
  const media = useMedia();
  if (details.frames.length === 0) return null;
  const count = new Map<number, number>();
  for (const f of details.faces) if (f.frameId !== null) count.set(f.frameId, (count.get(f.frameId) ?? 0) + 1);
  return (
    <section className="panel" aria-labelledby="frames-title">
      <h2 id="frames-title">Frames with faces ({details.frames.length})</h2>
      <ul className="frames">
        {details.frames.map((fr) => (
          <li key={fr.id}>
            <button type="button" className="frame-pick" aria-pressed={current === fr.id} aria-label={`Frame at ${formatMs(fr.timeMs)}, ${count.get(fr.id) ?? 0} faces`} onClick={() => onSelect(fr.id)}>
              <img src={media(`frame/${fr.id}/display`)} alt="" loading="lazy" decoding="async" />
              <span className="num">{formatMs(fr.timeMs)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
