import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { ExhibitSummary, FaceSummary } from '../../shared';
import { useMedia } from '../api';
import {
  adjust,
  cssFilter,
  describeAdjustments,
  onKey,
  panBy,
  pixelAt,
  place,
  regionAround,
  SHORTCUTS,
  SIDES,
  zoomBy,
  centrePixel,
  type Placement,
  type Region,
  type Side,
  type ViewState,
} from './view-state';

/** A face with what is needed to draw it: its exhibit, and for video the size of its frame. */
export interface ViewedFace {
  face: FaceSummary;
  exhibit: ExhibitSummary;
  /** The recorded frame's size for a video face; the photo's size otherwise. */
  source: { width: number; height: number } | null;
}

/** A numbered marker with a note, on one image, in the pixels of the view it was placed in. */
export interface Marker {
  n: number;
  side: Side;
  view: 'aligned' | 'original';
  x: number;
  y: number;
  note: string;
}

const SIDE_LABEL: Record<Side, string> = { left: 'Left (probe)', right: 'Right (candidate)' };
const FLICKER_MS = 600;

/** The media reference of what a view shows for a face: the aligned crop, or the whole recorded frame or photo. */
export function imageRef(f: ViewedFace, view: 'aligned' | 'original'): string {
  if (view === 'aligned') return `face/${f.face.id}/aligned`;
  return f.face.frameId !== null ? `frame/${f.face.frameId}/display` : `exhibit/${f.exhibit.id}/display`;
}

interface Loaded {
  ref: string;
  width: number;
  height: number;
}

/**
 * Two faces side by side (or laid on each other) with synchronised zoom and pan down to
 * single pixels. Drawn with nearest-neighbour sampling unless smoothing is chosen, so what
 * is seen is what was recorded; adjustments are CSS filters over the stored pixels.
 */
export function ComparisonViewer({
  faces,
  state,
  onState,
  markers,
  onMarker,
  labels = SIDE_LABEL,
}: {
  faces: Record<Side, ViewedFace>;
  state: ViewState;
  onState(s: ViewState): void;
  markers: readonly Marker[];
  /** Adds a marker at an image pixel of the current view. */
  onMarker?(m: Omit<Marker, 'n' | 'note'>): void;
  labels?: Record<Side, string>;
}) {
  const media = useMedia();
  const [loaded, setLoaded] = useState<Partial<Record<Side, Loaded>>>({});
  const [help, setHelp] = useState(false);
  const [placing, setPlacing] = useState(false);
  const [flickerShowsRight, setFlickerShowsRight] = useState(false);
  const stageRef = useRef<HTMLDivElement>(null);
  const [panel, setPanel] = useState({ w: 400, h: 400 });
  const overlaid = state.mode !== 'side';

  useLayoutEffect(() => {
    const el = stageRef.current;
    if (!el) return;
    const measure = () => {
      const first = el.querySelector('.viewer-panel');
      // A panel not laid out yet measures 0 and would scale the images to nothing.
      if (first && first.clientWidth > 0 && first.clientHeight > 0) setPanel({ w: first.clientWidth, h: first.clientHeight });
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [overlaid]);

  useEffect(() => {
    if (state.mode !== 'flicker') return;
    const t = setInterval(() => setFlickerShowsRight((v) => !v), FLICKER_MS);
    return () => clearInterval(t);
  }, [state.mode]);

  const regionOf = (side: Side): Region | null => {
    const l = loaded[side];
    const f = faces[side];
    if (!l || l.ref !== imageRef(f, state.view)) return null;
    if (state.view === 'aligned') return { x: 0, y: 0, w: l.width, h: l.height };
    return regionAround(f.face.box, displayScale(f, l), 0.6);
  };
  const placement = (side: Side): Placement | null => {
    const r = regionOf(side);
    return r && r.w > 0 && r.h > 0 ? place(state, side, r, panel) : null;
  };

  const keyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const r = onKey(state, e.key, e.shiftKey);
    if (!r) return;
    e.preventDefault();
    if ('state' in r) onState(r.state);
    else if ('help' in r) setHelp((v) => !v);
    else {
      const p = placement(r.marker);
      if (p && onMarker) onMarker({ side: r.marker, view: state.view, ...centrePixel(p, panel) });
    }
  };

  const drag = useRef<{ x: number; y: number; side: Side } | null>(null);
  const pointerDown = (side: Side) => (e: PointerEvent<HTMLDivElement>) => {
    const p = placement(side);
    if (placing && p && onMarker) {
      const box = e.currentTarget.getBoundingClientRect();
      onMarker({ side, view: state.view, ...pixelAt(p, e.clientX - box.left, e.clientY - box.top) });
      setPlacing(false);
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, side };
    if (state.active !== side && !overlaid) onState({ ...state, active: side });
  };
  const pointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    const r = regionOf(d.side);
    const p = placement(d.side);
    if (!r || !p) return;
    const dx = (e.clientX - d.x) / (p.scale * r.w);
    const dy = (e.clientY - d.y) / (p.scale * r.h);
    drag.current = { ...d, x: e.clientX, y: e.clientY };
    onState(panBy({ ...state, active: d.side }, -dx, -dy));
  };
  const wheel = (e: React.WheelEvent) => onState(zoomBy(state, e.deltaY < 0 ? 1.25 : 0.8));

  const image = (side: Side, extra: CSSProperties = {}) => {
    const f = faces[side];
    const ref = imageRef(f, state.view);
    const p = placement(side);
    const l = loaded[side];
    return (
      <div className="viewer-layer" style={extra} key={`${side}-${ref}`}>
        <img
          className="viewer-img"
          src={media(ref)}
          alt={`${labels[side]}: ${state.view === 'aligned' ? 'aligned face' : 'recorded frame'} of face ${f.face.id}`}
          draggable={false}
          onLoad={(e) => {
            const img = e.currentTarget;
            setLoaded((prev) => ({ ...prev, [side]: { ref, width: img.naturalWidth, height: img.naturalHeight } }));
          }}
          style={{
            transform: p ? `translate(${p.left}px, ${p.top}px) scale(${p.scale})` : undefined,
            visibility: p ? 'visible' : 'hidden',
            imageRendering: state.smoothing ? 'auto' : 'pixelated',
            filter: cssFilter(state.adjust[side], `gamma-${side}`),
          }}
        />
        {p && l ? <Marks side={side} f={f} p={p} l={l} state={state} markers={markers} /> : null}
      </div>
    );
  };

  const flickerSide: Side = flickerShowsRight ? 'right' : 'left';
  return (
    <div className="viewer" tabIndex={0} role="group" aria-label="Comparison view. Press ? for keyboard shortcuts." aria-keyshortcuts={SHORTCUTS.map((s) => s.keys).join(' ')} onKeyDown={keyDown}>
      <GammaFilters state={state} />
      <Toolbar state={state} onState={onState} placing={placing} onPlacing={onMarker ? () => setPlacing((v) => !v) : undefined} onHelp={() => setHelp((v) => !v)} />
      {help ? <ShortcutList /> : null}
      <div ref={stageRef} className={`viewer-stage${overlaid ? ' viewer-stage-one' : ''}`}>
        {overlaid ? (
          <div className="viewer-panel" onPointerDown={pointerDown(state.active)} onPointerMove={pointerMove} onPointerUp={() => (drag.current = null)} onWheel={wheel}>
            {image('left', state.mode === 'flicker' ? { visibility: flickerSide === 'left' ? 'visible' : 'hidden' } : {})}
            {image(
              'right',
              state.mode === 'overlay'
                ? { opacity: state.opacity }
                : state.mode === 'wipe'
                  ? { clipPath: `inset(0 0 0 ${Math.round(state.wipe * 100)}%)` }
                  : { visibility: flickerSide === 'right' ? 'visible' : 'hidden' },
            )}
            {state.mode === 'wipe' ? <div className="viewer-wipe-line" style={{ left: `${state.wipe * 100}%` }} aria-hidden="true" /> : null}
            <p className="viewer-caption">
              {state.mode === 'overlay' ? `Right over left at ${Math.round(state.opacity * 100)}% opacity` : state.mode === 'wipe' ? `Left | right, split at ${Math.round(state.wipe * 100)}%` : `Flicker: now ${labels[flickerSide].toLowerCase()}`}
            </p>
          </div>
        ) : (
          SIDES.map((side) => (
            <div
              key={side}
              className={`viewer-panel${state.active === side ? ' viewer-active' : ''}`}
              onPointerDown={pointerDown(side)}
              onPointerMove={pointerMove}
              onPointerUp={() => (drag.current = null)}
              onWheel={wheel}
            >
              {image(side)}
              <p className="viewer-caption">
                {labels[side]}
                {state.active === side ? ' · active' : ''} · {describeAdjustments(state.adjust[side])}
              </p>
            </div>
          ))
        )}
      </div>
      <PixelScale state={state} faces={faces} loaded={loaded} placement={placement} />
    </div>
  );
}

/** Display copies of large frames are smaller than the original: image pixels per original pixel. */
function displayScale(f: ViewedFace, l: Loaded): number {
  const width = f.source?.width ?? f.exhibit.width ?? l.width;
  return width > 0 ? l.width / width : 1;
}

/** Landmarks, the face box and markers, drawn in the image's own pixels so they stay on it at any zoom. */
function Marks({ side, f, p, l, state, markers }: { side: Side; f: ViewedFace; p: Placement; l: Loaded; state: ViewState; markers: readonly Marker[] }) {
  const k = state.view === 'original' ? displayScale(f, l) : 1;
  const mine = markers.filter((m) => m.side === side && m.view === state.view);
  const r = 6 / p.scale;
  const showMarks = state.landmarks && state.view === 'original';
  if (!showMarks && mine.length === 0) return null;
  return (
    <svg className="viewer-marks" width={l.width} height={l.height} viewBox={`0 0 ${l.width} ${l.height}`} style={{ transform: `translate(${p.left}px, ${p.top}px) scale(${p.scale})` }} aria-hidden="true">
      {showMarks ? (
        <>
          <rect x={f.face.box.x * k} y={f.face.box.y * k} width={f.face.box.w * k} height={f.face.box.h * k} className="viewer-box" strokeWidth={1.5 / p.scale} />
          {f.face.landmarks5.map(([x, y], i) => (
            <circle key={i} cx={x * k} cy={y * k} r={r / 2} className="viewer-landmark" />
          ))}
        </>
      ) : null}
      {mine.map((m) => (
        <g key={m.n}>
          <circle cx={m.x} cy={m.y} r={r} className="viewer-marker" strokeWidth={1.5 / p.scale} />
          <text x={m.x + r * 1.3} y={m.y - r * 1.3} fontSize={12 / p.scale} className="viewer-marker-label">
            {m.n}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** Gamma has no CSS filter function: an SVG transfer function per image, referenced by cssFilter(). */
function GammaFilters({ state }: { state: ViewState }) {
  return (
    <svg width="0" height="0" className="viewer-filters" aria-hidden="true" focusable="false">
      {SIDES.map((side) => {
        const exponent = 1 / state.adjust[side].gamma;
        return (
          <filter id={`gamma-${side}`} key={side} colorInterpolationFilters="sRGB">
            <feComponentTransfer>
              <feFuncR type="gamma" amplitude="1" exponent={exponent} offset="0" />
              <feFuncG type="gamma" amplitude="1" exponent={exponent} offset="0" />
              <feFuncB type="gamma" amplitude="1" exponent={exponent} offset="0" />
            </feComponentTransfer>
          </filter>
        );
      })}
    </svg>
  );
}

function ToolButton({ label, keys, pressed, onClick }: { label: string; keys: string; pressed?: boolean; onClick(): void }) {
  return (
    <button type="button" className="btn small" aria-pressed={pressed} aria-keyshortcuts={keys} title={`${label} (${keys})`} onClick={onClick}>
      {label}
    </button>
  );
}

function Toolbar({ state, onState, placing, onPlacing, onHelp }: { state: ViewState; onState(s: ViewState): void; placing: boolean; onPlacing?: () => void; onHelp(): void }) {
  const key = (k: string, shift = false) => {
    const r = onKey(state, k, shift);
    if (r && 'state' in r) onState(r.state);
  };
  const a = state.adjust[state.active];
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label="Comparison view controls">
      <ToolButton label="Zoom in" keys="+" onClick={() => key('+')} />
      <ToolButton label="Zoom out" keys="-" onClick={() => key('-')} />
      <ToolButton label="Fit" keys="0" onClick={() => key('0')} />
      <ToolButton label="Sync" keys="S" pressed={state.sync} onClick={() => key('s')} />
      <ToolButton label={state.view === 'aligned' ? 'Original frame' : 'Aligned'} keys="V" onClick={() => key('v')} />
      <ToolButton label="Overlay" keys="O" pressed={state.mode === 'overlay'} onClick={() => key('o')} />
      <ToolButton label="Flicker" keys="F" pressed={state.mode === 'flicker'} onClick={() => key('f')} />
      <ToolButton label="Wipe" keys="W" pressed={state.mode === 'wipe'} onClick={() => key('w')} />
      <ToolButton label="Landmarks" keys="L" pressed={state.landmarks} onClick={() => key('l')} />
      <ToolButton label="Smoothing" keys="P" pressed={state.smoothing} onClick={() => key('p')} />
      {onPlacing ? <ToolButton label={placing ? 'Click an image…' : 'Add marker'} keys="M" pressed={placing} onClick={onPlacing} /> : null}
      <ToolButton label="Shortcuts" keys="?" onClick={onHelp} />
      {state.mode === 'overlay' || state.mode === 'wipe' ? (
        <label className="viewer-slider">
          {state.mode === 'overlay' ? 'Opacity' : 'Wipe'}
          <input
            type="range"
            min={0}
            max={100}
            value={Math.round((state.mode === 'overlay' ? state.opacity : state.wipe) * 100)}
            aria-keyshortcuts="[ ]"
            onChange={(e) => onState(state.mode === 'overlay' ? { ...state, opacity: Number(e.target.value) / 100 } : { ...state, wipe: Number(e.target.value) / 100 })}
          />
        </label>
      ) : null}
      <fieldset className="viewer-adjust">
        <legend>Display of the {state.active} image (not the evidence)</legend>
        <Slider label="Brightness" keys="B" min={-100} max={100} step={10} value={a.brightness} onChange={(v) => onState(adjust(state, state.active, { brightness: v }))} />
        <Slider label="Contrast" keys="C" min={-100} max={100} step={10} value={a.contrast} onChange={(v) => onState(adjust(state, state.active, { contrast: v }))} />
        <Slider label="Gamma" keys="G" min={0.2} max={5} step={0.1} value={a.gamma} onChange={(v) => onState(adjust(state, state.active, { gamma: v }))} />
        <label className="viewer-check">
          <input type="checkbox" checked={a.greyscale} aria-keyshortcuts="K" onChange={(e) => onState(adjust(state, state.active, { greyscale: e.target.checked }))} /> Greyscale
        </label>
        <ToolButton label="Reset" keys="R" onClick={() => key('r')} />
      </fieldset>
    </div>
  );
}

function Slider({ label, keys, min, max, step, value, onChange }: { label: string; keys: string; min: number; max: number; step: number; value: number; onChange(v: number): void }) {
  return (
    <label className="viewer-slider">
      {label}
      <input type="range" min={min} max={max} step={step} value={value} aria-keyshortcuts={keys} onChange={(e) => onChange(Number(e.target.value))} />
      <span className="num">{value}</span>
    </label>
  );
}

function ShortcutList() {
  return (
    <section className="viewer-help" aria-label="Keyboard shortcuts">
      <h3>Keyboard shortcuts (the view must have focus)</h3>
      <dl>
        {SHORTCUTS.map((s) => (
          <Row key={s.keys} term={s.keys}>
            {s.does}
          </Row>
        ))}
      </dl>
    </section>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>
        <kbd>{term}</kbd>
      </dt>
      <dd>{children}</dd>
    </>
  );
}

/** How many screen pixels one recorded pixel covers, so the examiner knows when they are looking at single pixels. */
function PixelScale({ state, faces, loaded, placement }: { state: ViewState; faces: Record<Side, ViewedFace>; loaded: Partial<Record<Side, Loaded>>; placement(side: Side): Placement | null }) {
  const parts = SIDES.map((side) => {
    const p = placement(side);
    const l = loaded[side];
    if (!p || !l) return null;
    const perSource = state.view === 'original' ? p.scale * displayScale(faces[side], l) : p.scale;
    const reduced = state.view === 'original' && displayScale(faces[side], l) < 1 ? ` (the display copy has ${Math.round(displayScale(faces[side], l) * 100)}% of the recorded resolution)` : '';
    return `${side}: 1 ${state.view === 'aligned' ? 'aligned' : 'recorded'} pixel = ${perSource.toFixed(1)} screen pixels${reduced}`;
  }).filter((x): x is string => x !== null);
  return (
    <p className="viewer-scale muted" aria-live="polite">
      Zoom ×{state.zoom.toFixed(2)} · {parts.join(' · ')}
    </p>
  );
}
