import type { ReactNode } from 'react';
import type { FaceQuality, FaceSummary } from '../../shared';
import { useMedia } from '../api';
import { formatMs } from '../ui';
import { boxPercent, type Extent } from './geometry';

type FaceVariant = 'crop' | 'aligned';

/**
 * One stored picture of a face: 'crop' is the box with a margin (context), 'aligned' the
 * 112 px crop the model encoded. The alt text names the face, since the picture is the point.
 */
export function FaceImage({ faceId, variant = 'crop', alt, size = 'm' }: { faceId: number; variant?: FaceVariant; alt: string; size?: 's' | 'm' | 'l' | 'xl' }) {
  const media = useMedia();
  return <img className={`face-img face-${size}`} src={media(`face/${faceId}/${variant}`)} alt={alt} loading="lazy" decoding="async" />;
}

/** A face as found (with its surroundings) beside the aligned crop the model encoded, so the examiner sees what was compared. */
export function FacePair({ faceId, alt, alignedAlt }: { faceId: number; alt: string; alignedAlt: string }) {
  return (
    <div className="face-pair">
      <figure>
        <FaceImage faceId={faceId} alt={alt} size="l" />
        <figcaption>As found</figcaption>
      </figure>
      <figure>
        <FaceImage faceId={faceId} variant="aligned" alt={alignedAlt} size="l" />
        <figcaption>Aligned</figcaption>
      </figure>
    </div>
  );
}

/** The overall quality score, marked when the face should not be relied on. */
export function QualityBadge({ quality }: { quality: FaceQuality }) {
  return (
    <span className={quality.insufficient ? 'badge quality-poor' : 'badge quality-ok'} title={quality.insufficient ? quality.reasons.join('; ') : undefined}>
      Q {Math.round(quality.score)}
      {quality.insufficient ? ' · insufficient' : ''}
    </span>
  );
}

/** Every part of the quality measure, and the reasons a face is insufficient, in words. */
export function QualityFacts({ quality }: { quality: FaceQuality }) {
  return (
    <>
      {quality.insufficient ? (
        <div className="warning quality-warning">
          <strong>Insufficient for comparison.</strong>
          <ul>
            {quality.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <dl className="facts facts-compact">
        <dt>Quality score</dt>
        <dd className="num">{Math.round(quality.score)} / 100</dd>
        <dt>Between the eyes</dt>
        <dd className="num">{quality.interEyePx.toFixed(1)} px</dd>
        <dt>Sharpness</dt>
        <dd className="num">
          {quality.sharpness.toFixed(0)} <span className="muted">({part(quality.components.sharpness)})</span>
        </dd>
        <dt>Head turn, tilt</dt>
        <dd className="num">
          {quality.yawDeg.toFixed(0)}°, {quality.rollDeg.toFixed(0)}° <span className="muted">({part(quality.components.pose)})</span>
        </dd>
        <dt>Exposure</dt>
        <dd className="num">
          mean {quality.brightness.toFixed(0)}, {(quality.clippedDark * 100).toFixed(0)}% dark, {(quality.clippedBright * 100).toFixed(0)}% bright{' '}
          <span className="muted">({part(quality.components.exposure)})</span>
        </dd>
        {quality.components.likeness !== undefined ? (
          <>
            <dt>Face likeness</dt>
            <dd className="num">
              {quality.secondLookScore !== undefined ? `second look ${quality.secondLookScore.toFixed(2)} ` : ''}
              <span className="muted">({part(quality.components.likeness)})</span>
            </dd>
          </>
        ) : null}
      </dl>
    </>
  );
}

const part = (v: number) => `${Math.round(v * 100)}% of full marks`;

/** Where a face was found: its time in a video and its track, when it has them. */
export function faceWhere(face: Pick<FaceSummary, 'timeMs' | 'trackId'>): string | null {
  if (face.timeMs === null) return null;
  return face.trackId === null ? `at ${formatMs(face.timeMs)}` : `at ${formatMs(face.timeMs)}, track ${face.trackId}`;
}

/** A face as a control: its crop, its name and its quality; pressed when it is selected. */
export function FaceButton({ face, label, onClick, pressed, extra }: { face: FaceSummary; label: string; onClick(): void; pressed?: boolean; extra?: ReactNode }) {
  return (
    <button type="button" className="face-tile" aria-pressed={pressed} aria-label={`${label}, quality ${Math.round(face.quality.score)}${face.quality.insufficient ? ', insufficient for comparison' : ''}`} onClick={onClick}>
      <FaceImage faceId={face.id} alt="" size="s" />
      <span className="face-tile-label">{label}</span>
      <QualityBadge quality={face.quality} />
      {extra}
    </button>
  );
}

/**
 * A picture of a whole image or video frame with its faces outlined. Each outline is a
 * button (Tab reaches every face); insufficient faces are outlined differently, not hidden.
 */
export function FaceStage({
  src,
  alt,
  extent,
  faces,
  selected,
  onSelect,
  numbers,
}: {
  src: string;
  alt: string;
  extent: Extent;
  faces: readonly FaceSummary[];
  selected: number | null;
  onSelect(face: FaceSummary): void;
  numbers: Map<number, number>;
}) {
  return (
    <div className="stage">
      <div className="stage-frame">
        <img className="stage-img" src={src} alt={alt} />
        {faces.map((f) => {
          const p = boxPercent(f.box, extent);
          const n = numbers.get(f.id) ?? 0;
          return (
            <button
              key={f.id}
              type="button"
              className={`face-box${f.quality.insufficient ? ' face-box-poor' : ''}`}
              style={{ left: `${p.left}%`, top: `${p.top}%`, width: `${p.width}%`, height: `${p.height}%` }}
              aria-pressed={selected === f.id}
              aria-label={`Face ${n}, quality ${Math.round(f.quality.score)}${f.quality.insufficient ? ', insufficient for comparison' : ''}`}
              onClick={() => onSelect(f)}
            >
              <span className="face-box-tag" aria-hidden="true">
                {n}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
