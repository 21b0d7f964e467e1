/**
 * The comparison view's state as plain data and pure steps, so that what the examiner saw
 * (zoom, offsets, display adjustments) can be saved with an assessment and tested without a
 * browser. Images are addressed as 'left' (probe or reference) and 'right' (candidate).
 */
export type Side = 'left' | 'right';
export const SIDES: readonly Side[] = ['left', 'right'];

/** Non-destructive: they change how pixels are drawn, never the pixels stored. */
export interface Adjustments {
  /** -100..100, 0 = as recorded. */
  brightness: number;
  /** -100..100, 0 = as recorded. */
  contrast: number;
  /** 0.2..5, 1 = as recorded. */
  gamma: number;
  greyscale: boolean;
}

export const NO_ADJUSTMENT: Adjustments = { brightness: 0, contrast: 0, gamma: 1, greyscale: false };

export type Mode = 'side' | 'overlay' | 'flicker' | 'wipe';

export interface ViewState {
  /** 'aligned': both warped to the model's template; 'original': the recorded frame or photo around the face. */
  view: 'aligned' | 'original';
  mode: Mode;
  /** Zoom over the fit of each image's region of interest (1 = the face fills its panel). */
  zoom: number;
  /** Where both views are centred, in units of the region of interest (0,0 = its centre). */
  pan: { x: number; y: number };
  /** Each image's own shift from the shared centre, kept when sync is turned off and on. */
  offset: Record<Side, { x: number; y: number }>;
  sync: boolean;
  /** The image that unsynced panning and the adjustment keys act on. */
  active: Side;
  /** Off by default: real pixels, nearest neighbour, no invented detail. */
  smoothing: boolean;
  landmarks: boolean;
  /** Overlay: opacity of the right image over the left, 0..1. Wipe: where the split is, 0..1 from the left. */
  opacity: number;
  wipe: number;
  adjust: Record<Side, Adjustments>;
}

export const INITIAL_VIEW: ViewState = {
  view: 'aligned',
  mode: 'side',
  zoom: 1,
  pan: { x: 0, y: 0 },
  offset: { left: { x: 0, y: 0 }, right: { x: 0, y: 0 } },
  sync: true,
  active: 'left',
  smoothing: false,
  landmarks: false,
  opacity: 0.5,
  wipe: 0.5,
  adjust: { left: NO_ADJUSTMENT, right: NO_ADJUSTMENT },
};

export const MIN_ZOOM = 0.25;
/** Deep enough that one source pixel of a small CCTV face covers many screen pixels. */
export const MAX_ZOOM = 64;
const ZOOM_STEP = 1.25;
/** One arrow press moves the view by this share of the region of interest (Shift: five times as far). */
const PAN_STEP = 0.05;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, places = 4) => Math.round(v * 10 ** places) / 10 ** places;

export function zoomBy(s: ViewState, factor: number): ViewState {
  return { ...s, zoom: clamp(round(s.zoom * factor), MIN_ZOOM, MAX_ZOOM) };
}

/** Synced, panning moves both views; unsynced, only the active image moves, as its own offset. */
export function panBy(s: ViewState, dx: number, dy: number): ViewState {
  if (s.sync) return { ...s, pan: { x: round(s.pan.x + dx), y: round(s.pan.y + dy) } };
  const o = s.offset[s.active];
  return { ...s, offset: { ...s.offset, [s.active]: { x: round(o.x + dx), y: round(o.y + dy) } } };
}

/** Overlay, flicker and wipe lay one image on the other, which only means something when both share the template. */
export function setMode(s: ViewState, mode: Mode): ViewState {
  return { ...s, mode: s.mode === mode ? 'side' : mode, view: mode === 'side' ? s.view : 'aligned' };
}

export function adjust(s: ViewState, side: Side, change: Partial<Adjustments>): ViewState {
  const a = { ...s.adjust[side], ...change };
  const checked: Adjustments = {
    brightness: clamp(Math.round(a.brightness), -100, 100),
    contrast: clamp(Math.round(a.contrast), -100, 100),
    gamma: clamp(round(a.gamma, 2), 0.2, 5),
    greyscale: a.greyscale,
  };
  return { ...s, adjust: { ...s.adjust, [side]: checked } };
}

export const isAdjusted = (a: Adjustments): boolean => a.brightness !== 0 || a.contrast !== 0 || a.gamma !== 1 || a.greyscale;

/** The CSS filter that draws an image with its adjustments; gamma needs an SVG transfer function, named by id. */
export function cssFilter(a: Adjustments, gammaFilterId: string): string {
  const parts: string[] = [];
  if (a.brightness !== 0) parts.push(`brightness(${round(1 + a.brightness / 100, 3)})`);
  if (a.contrast !== 0) parts.push(`contrast(${round(1 + a.contrast / 100, 3)})`);
  if (a.greyscale) parts.push('grayscale(1)');
  if (a.gamma !== 1) parts.push(`url(#${gammaFilterId})`);
  return parts.length > 0 ? parts.join(' ') : 'none';
}

/** In words, for the record and the screen: "brightness +20, gamma 1.4, greyscale". */
export function describeAdjustments(a: Adjustments): string {
  if (!isAdjusted(a)) return 'as recorded';
  const parts: string[] = [];
  if (a.brightness !== 0) parts.push(`brightness ${a.brightness > 0 ? '+' : ''}${a.brightness}`);
  if (a.contrast !== 0) parts.push(`contrast ${a.contrast > 0 ? '+' : ''}${a.contrast}`);
  if (a.gamma !== 1) parts.push(`gamma ${a.gamma}`);
  if (a.greyscale) parts.push('greyscale');
  return parts.join(', ');
}

/** The region of an image that "fit" shows: the whole aligned crop, or the face's box in the recorded frame with a margin. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A face box (source pixels) grown by `margin` of its size on each side, in display-image pixels. */
export function regionAround(box: Region, scale: number, margin = 0.6): Region {
  return { x: (box.x - box.w * margin) * scale, y: (box.y - box.h * margin) * scale, w: box.w * (1 + 2 * margin) * scale, h: box.h * (1 + 2 * margin) * scale };
}

export interface Placement {
  /** Screen pixels per image pixel. */
  scale: number;
  /** Where the image's top-left corner is drawn in the panel. */
  left: number;
  top: number;
}

/** Where to draw one image in a panel of size (w, h): the region of interest fitted, zoomed and centred on the shared pan plus its own offset. */
export function place(s: ViewState, side: Side, region: Region, panel: { w: number; h: number }): Placement {
  const fit = Math.min(panel.w / region.w, panel.h / region.h);
  const scale = fit * s.zoom;
  const o = s.offset[side];
  const cx = region.x + region.w * (0.5 + s.pan.x + o.x);
  const cy = region.y + region.h * (0.5 + s.pan.y + o.y);
  return { scale, left: panel.w / 2 - cx * scale, top: panel.h / 2 - cy * scale };
}

/** The image pixel at the centre of a panel: where a marker placed from the keyboard goes. */
export function centrePixel(p: Placement, panel: { w: number; h: number }): { x: number; y: number } {
  return { x: round((panel.w / 2 - p.left) / p.scale, 1), y: round((panel.h / 2 - p.top) / p.scale, 1) };
}

/** The image pixel under a point of the panel (a click). */
export function pixelAt(p: Placement, px: number, py: number): { x: number; y: number } {
  return { x: round((px - p.left) / p.scale, 1), y: round((py - p.top) / p.scale, 1) };
}

export interface Shortcut {
  keys: string;
  does: string;
}

/** Every control of the view has a key; the help lists these and the toolbar's buttons name them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '+ / -', does: 'Zoom in / out (both images when synced)' },
  { keys: '0', does: 'Fit the faces again' },
  { keys: 'Arrows', does: 'Pan (Shift: further); unsynced, only the active image moves' },
  { keys: '1 / 2', does: 'Make the left / right image active' },
  { keys: 'S', does: 'Synchronise zoom and pan on or off (each image keeps its offset)' },
  { keys: 'V', does: 'Aligned view or original frame' },
  { keys: 'O', does: 'Overlay the right image on the left' },
  { keys: 'F', does: 'Flicker between the two images' },
  { keys: 'W', does: 'Wipe: split the view between the two images' },
  { keys: '[ / ]', does: 'Overlay opacity or wipe position' },
  { keys: 'L', does: 'Show landmarks and the face box' },
  { keys: 'P', does: 'Real pixels (nearest neighbour) or smoothed' },
  { keys: 'B / Shift+B', does: 'Brightness up / down (active image)' },
  { keys: 'C / Shift+C', does: 'Contrast up / down (active image)' },
  { keys: 'G / Shift+G', does: 'Gamma up / down (active image)' },
  { keys: 'K', does: 'Greyscale on or off (active image)' },
  { keys: 'R', does: 'Reset the active image’s display adjustments' },
  { keys: 'M', does: 'Add a numbered marker at the centre of the active image' },
  { keys: '?', does: 'Show or hide these shortcuts' },
];

export type KeyResult = { state: ViewState } | { marker: Side } | { help: true } | null;

/** What a key press does to the view; null when the key is not the view's (so it is not swallowed). */
export function onKey(s: ViewState, key: string, shift: boolean): KeyResult {
  const step = shift ? PAN_STEP * 5 : PAN_STEP;
  const a = s.adjust[s.active];
  switch (key) {
    case '+':
    case '=':
      return { state: zoomBy(s, ZOOM_STEP) };
    case '-':
    case '_':
      return { state: zoomBy(s, 1 / ZOOM_STEP) };
    case '0':
      return { state: { ...s, zoom: 1, pan: { x: 0, y: 0 } } };
    case 'ArrowLeft':
      return { state: panBy(s, step, 0) };
    case 'ArrowRight':
      return { state: panBy(s, -step, 0) };
    case 'ArrowUp':
      return { state: panBy(s, 0, step) };
    case 'ArrowDown':
      return { state: panBy(s, 0, -step) };
    case '1':
      return { state: { ...s, active: 'left' } };
    case '2':
      return { state: { ...s, active: 'right' } };
    case 's':
    case 'S':
      return { state: { ...s, sync: !s.sync } };
    case 'v':
    case 'V':
      return { state: { ...s, view: s.view === 'aligned' ? 'original' : 'aligned', mode: 'side' } };
    case 'o':
    case 'O':
      return { state: setMode(s, 'overlay') };
    case 'f':
    case 'F':
      return { state: setMode(s, 'flicker') };
    case 'w':
    case 'W':
      return { state: setMode(s, 'wipe') };
    case '[':
    case ']': {
      const d = key === '[' ? -0.05 : 0.05;
      return { state: s.mode === 'wipe' ? { ...s, wipe: clamp(round(s.wipe + d, 2), 0, 1) } : { ...s, opacity: clamp(round(s.opacity + d, 2), 0, 1) } };
    }
    case 'l':
    case 'L':
      return { state: { ...s, landmarks: !s.landmarks } };
    case 'p':
    case 'P':
      return { state: { ...s, smoothing: !s.smoothing } };
    case 'b':
    case 'B':
      return { state: adjust(s, s.active, { brightness: a.brightness + (shift ? -10 : 10) }) };
    case 'c':
    case 'C':
      return { state: adjust(s, s.active, { contrast: a.contrast + (shift ? -10 : 10) }) };
    case 'g':
    case 'G':
      return { state: adjust(s, s.active, { gamma: shift ? a.gamma / 1.1 : a.gamma * 1.1 }) };
    case 'k':
    case 'K':
      return { state: adjust(s, s.active, { greyscale: !a.greyscale }) };
    case 'r':
    case 'R':
      return { state: adjust(s, s.active, NO_ADJUSTMENT) };
    case 'm':
    case 'M':
      return { marker: s.active };
    case '?':
      return { help: true };
    default:
      return null;
  }
}
