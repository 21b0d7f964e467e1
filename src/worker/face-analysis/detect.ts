import type { DetectorModel } from '../../shared';
import { invertSimilarity, type Similarity, warpSimilarity } from './align';
import { resize, type Rgb } from './image';
import type { Laps } from './laps';
import type { Model, Outputs } from './session';
import { toTensor, toTensorScaled } from './tensor';

/** A face candidate in image pixels; kps holds five (x, y) landmarks when the detector gives them. */
export interface Detection {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  kps: number[] | null;
}

/** A candidate the detector saw again on crops centred on it: `confirmation` is its mean score there (0..1). */
export interface ConfirmedDetection extends Detection {
  confirmation: number;
}

export interface DetectOptions {
  /** Search at native resolution too (tiled for big frames), for faces of a few pixels. */
  smallFaces: boolean;
  scoreThreshold: number;
  /** Stop confirming candidates once this many, the best scoring first, are faces. */
  maxFaces?: number;
  /** Times the passes and the second look, for a profile. */
  laps?: Laps;
}

/** The detector's reading of a face on a crop turned so the face should stand upright there. */
export interface TurnedLook {
  crop: Rgb;
  /** The best detection near the crop's centre, in crop pixels; null when the detector sees no face there. */
  found: Detection | null;
  /** Takes crop pixels back to the image. */
  back: Similarity;
}

export interface Detector {
  /** Confirmed faces, the best scoring first. */
  detect(img: Rgb, opts: DetectOptions): Promise<ConfirmedDetection[]>;
  /** The face in box d seen on a crop centred on it, turned by -turnDeg (a face rolled turnDeg stands upright there). */
  lookTurned(img: Rgb, d: Detection, turnDeg: number): Promise<TurnedLook>;
}

export function iou(a: Detection, b: Detection): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/**
 * Greedy non-maximum suppression: the best-scoring of overlapping candidates stays. With
 * `vote`, its box and landmarks become the score-weighted mean of the candidates that
 * overlap it by at least `vote` (the same face seen at several scales or in several
 * tiles), which steadies the landmarks the alignment depends on.
 */
export function nms(dets: Detection[], threshold: number, vote?: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const keep: Detection[] = [];
  for (const d of sorted) if (keep.every((k) => iou(k, d) <= threshold)) keep.push(d);
  if (vote === undefined) return keep;
  return keep.map((k) => {
    const group = sorted.filter((d) => iou(k, d) >= vote && (d.kps === null) === (k.kps === null));
    const total = group.reduce((s, d) => s + d.score, 0);
    const mean = (f: (d: Detection) => number) => group.reduce((s, d) => s + f(d) * d.score, 0) / total;
    return {
      x1: mean((d) => d.x1), y1: mean((d) => d.y1), x2: mean((d) => d.x2), y2: mean((d) => d.y2), score: k.score,
      kps: k.kps ? k.kps.map((_, i) => mean((d) => (d.kps as number[])[i] as number)) : null,
    };
  });
}

/**
 * Drops a candidate lying mostly inside a surer one at least four times its area: faces
 * do not contain faces, but a tile or scale that sees only part of a big face can mistake
 * an eye region or a mouth for one. A surer small face inside a doubtful big one stays.
 */
export function dropNested<D extends Detection>(dets: D[]): D[] {
  const area = (d: Detection) => (d.x2 - d.x1) * (d.y2 - d.y1);
  return dets.filter((d) =>
    !dets.some((big) => {
      if (big === d || area(big) < 4 * area(d) || big.score < d.score) return false;
      const w = Math.min(d.x2, big.x2) - Math.max(d.x1, big.x1), h = Math.min(d.y2, big.y2) - Math.max(d.y1, big.y1);
      return w > 0 && h > 0 && (w * h) / area(d) >= 0.7;
    }),
  );
}

/** Where a tile sits in the image and at which scale, to map its detections back. */
interface Window {
  x: number;
  y: number;
  w: number;
  h: number;
  scale: number;
  /** Which sides of the window are inside the image (faces cut there are found by a neighbour). */
  inner: { left: boolean; top: boolean; right: boolean; bottom: boolean };
}

/** Start offsets of windows of size win covering length len with at least `overlap` shared. */
export function tileStarts(len: number, win: number, overlap: number): number[] {
  if (len <= win) return [0];
  const n = Math.ceil((len - overlap) / (win - overlap));
  const step = (len - win) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.round(i * step));
}

function windows(width: number, height: number, win: { w: number; h: number }, overlap: number, scale: number): Window[] {
  const out: Window[] = [];
  const xs = tileStarts(width, win.w, overlap);
  const ys = tileStarts(height, win.h, overlap);
  for (const y of ys) {
    for (const x of xs) {
      out.push({
        x, y, w: win.w, h: win.h, scale,
        inner: { left: x > 0, top: y > 0, right: x + win.w < width, bottom: y + win.h < height },
      });
    }
  }
  return out;
}

/** A detection touching an inner edge of its tile is a cut face: its neighbour tile sees it whole. */
function cutByTile(d: Detection, w: Window, margin: number): boolean {
  return (
    (w.inner.left && d.x1 <= w.x + margin) ||
    (w.inner.top && d.y1 <= w.y + margin) ||
    (w.inner.right && d.x2 >= w.x + w.w - margin) ||
    (w.inner.bottom && d.y2 >= w.y + w.h - margin)
  );
}

/** Maps a detection from window coordinates (in the scaled image) to original image pixels. */
function toImage(d: Detection, w: Window): Detection {
  const f = 1 / w.scale;
  return {
    x1: (d.x1 + w.x) * f,
    y1: (d.y1 + w.y) * f,
    x2: (d.x2 + w.x) * f,
    y2: (d.y2 + w.y) * f,
    score: d.score,
    kps: d.kps ? d.kps.map((v, i) => (v + (i % 2 === 0 ? w.x : w.y)) * f) : null,
  };
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** YuNet heads: per stride, anchors in row-major order at (col*s, row*s); already probabilities. */
function decodeYunet(out: Outputs, inW: number, inH: number, threshold: number): Detection[] {
  const dets: Detection[] = [];
  for (const s of [8, 16, 32]) {
    const cls = out[`cls_${s}`]?.data, obj = out[`obj_${s}`]?.data, box = out[`bbox_${s}`]?.data, kps = out[`kps_${s}`]?.data;
    if (!cls || !obj || !box || !kps) throw new Error(`YuNet output for stride ${s} is missing: is this a YuNet model?`);
    const cols = inW / s;
    const n = cls.length;
    for (let i = 0; i < n; i++) {
      const score = Math.sqrt(clamp01(cls[i] as number) * clamp01(obj[i] as number));
      if (score < threshold) continue;
      const ax = (i % cols) * s, ay = Math.floor(i / cols) * s;
      const cx = (box[i * 4] as number) * s + ax, cy = (box[i * 4 + 1] as number) * s + ay;
      const w = Math.exp(box[i * 4 + 2] as number) * s, h = Math.exp(box[i * 4 + 3] as number) * s;
      const k: number[] = [];
      for (let j = 0; j < 5; j++) k.push((kps[i * 10 + 2 * j] as number) * s + ax, (kps[i * 10 + 2 * j + 1] as number) * s + ay);
      dets.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, kps: k });
    }
  }
  return dets;
}

/** UltraFace: softmax scores (column 1 = face) and corner boxes relative to the input. */
function decodeUltraface(out: Outputs, inW: number, inH: number, threshold: number): Detection[] {
  const scores = out['scores']?.data, boxes = out['boxes']?.data;
  if (!scores || !boxes) throw new Error('UltraFace outputs "scores" and "boxes" are missing: is this an UltraFace model?');
  const dets: Detection[] = [];
  const n = scores.length / 2;
  for (let i = 0; i < n; i++) {
    const score = scores[i * 2 + 1] as number;
    if (score < threshold) continue;
    dets.push({
      x1: (boxes[i * 4] as number) * inW,
      y1: (boxes[i * 4 + 1] as number) * inH,
      x2: (boxes[i * 4 + 2] as number) * inW,
      y2: (boxes[i * 4 + 3] as number) * inH,
      score,
      kps: null,
    });
  }
  return dets;
}

/**
 * MediaPipe BlazeFace (as converted for Barracuda): two heads, 2 anchors per cell on the
 * finer grid and 6 on the coarser; offsets are in input pixels from the cell centre; logits.
 */
function decodeBlazeface(out: Outputs, inW: number, inH: number, threshold: number): Detection[] {
  const heads = Object.values(out);
  const scoreHeads = heads.filter((t) => t.dims[t.dims.length - 1] === 1).sort((a, b) => b.data.length - a.data.length);
  const boxHeads = heads.filter((t) => t.dims[t.dims.length - 1] === 16).sort((a, b) => b.data.length - a.data.length);
  if (scoreHeads.length !== 2 || boxHeads.length !== 2) throw new Error('BlazeFace outputs are not two score and two box heads: is this a BlazeFace model?');
  const dets: Detection[] = [];
  [2, 6].forEach((anchors, h) => {
    const sc = (scoreHeads[h] as { data: Float32Array }).data;
    const bx = (boxHeads[h] as { data: Float32Array }).data;
    const cells = Math.round(Math.sqrt(sc.length / anchors));
    for (let i = 0; i < sc.length; i++) {
      const score = sigmoid(sc[i] as number);
      if (score < threshold) continue;
      const cell = Math.floor(i / anchors);
      const ax = ((cell % cells) + 0.5) / cells * inW, ay = (Math.floor(cell / cells) + 0.5) / cells * inH;
      const b = i * 16;
      const cx = ax + (bx[b] as number), cy = ay + (bx[b + 1] as number);
      const w = bx[b + 2] as number, hh = bx[b + 3] as number;
      dets.push({ x1: cx - w / 2, y1: cy - hh / 2, x2: cx + w / 2, y2: cy + hh / 2, score, kps: null });
    }
  });
  return dets;
}

const DECODERS = { yunet: decodeYunet, ultraface: decodeUltraface, blazeface: decodeBlazeface } as const;

/** Candidates from one run of a detector of that kind on a tensor of inW x inH pixels. */
export const decodeOutputs = (kind: DetectorModel['kind'], out: Outputs, inW: number, inH: number, threshold: number): Detection[] =>
  DECODERS[kind](out, inW, inH, threshold);

/** Long side of the copy on which big faces are found. */
const COARSE_SIDE = 640;
/**
 * Scale of the fine pass of fully convolutional detectors: at native size YuNet misses
 * many of the smallest faces, whose eyes its smallest anchors are too coarse to resolve,
 * and finds nearly all of them enlarged this much (bench/detection.ts; docs/figures.md,
 * "Detection").
 */
const FINE_SCALE = 1.5;
/**
 * Box size on the coarse copy from which the coarse pass finds every face
 * (bench/detection.ts; docs/figures.md, "Detection"); the fine pass keeps only faces smaller
 * than that, so big faces get the coarse pass's landmarks and the fine pass cannot add
 * parts of a big face (an eye region seen as a face in an enlarged tile).
 */
const FINE_MAX_AT_COARSE = 64;
/**
 * A finer level of a fixed-input detector's pyramid keeps only faces smaller than this
 * share of its tile: a bigger face is found whole one level coarser (at half the size or
 * more), while a tile of the finer level sees only part of it (brows to chin in a close-up,
 * the mouth of a big face) and calls that a face.
 */
const LEVEL_MAX_SHARE = 0.5;
/** Passes whose scaled long side is at most this run whole; beyond, in overlapping tiles. */
const WHOLE_MAX = 3072;
const TILE = 1280;
const TILE_OVERLAP = 256;

/**
 * The second look. A detector run over a whole frame at a few scales also answers for
 * texture at scales it handles badly: a patterned tie enlarged 1.5x, a flag, a hand, an
 * ear. Each candidate is therefore looked at again on crops centred on it where its box
 * spans a third and a half of the detector's input, sizes at which the detector sees
 * faces well, and kept only when the detector finds it there again (a detection
 * overlapping it by LOOK_IOU, so the whole face around a part of it does not confirm the
 * part) with a mean score of at least CONFIRM_MIN. The measured margins are narrow and
 * given in docs/quality.md.
 */
const LOOK_SHARES = [1 / 3, 1 / 2];
/** Input side of a second look for detectors of any input size (a multiple of their 32 px stride). */
const LOOK_SIDE = 192;
const LOOK_IOU = 0.5;
/** Scores below this count as not found in a look. */
const LOOK_FLOOR = 0.3;
export const CONFIRM_MIN = 0.7;

/**
 * Runs one detector over the image as a set of windows at several scales and merges the
 * candidates with NMS. Fully convolutional detectors (YuNet) see a ~640 px copy for large
 * faces plus a 1.5x enlargement (tiled for big frames) for small ones; fixed-input
 * detectors (UltraFace, BlazeFace) see a pyramid of scales, each cut in overlapping tiles
 * of their input size, up to native resolution.
 */
export function createDetector(model: Model, spec: DetectorModel): Detector {
  const decode = DECODERS[spec.kind];
  const layout = { colourOrder: spec.colourOrder, layout: spec.layout, normalisation: spec.normalisation };

  async function runWindow(img: Rgb, w: Window, threshold: number, inW: number, inH: number): Promise<Detection[]> {
    const data = toTensor(img, w.x, w.y, inW, inH, layout);
    const dims = spec.layout === 'nchw' ? [1, 3, inH, inW] : [1, inH, inW, 3];
    const out = await model.run(data, dims);
    return decode(out, inW, inH, threshold);
  }

  async function level(img: Rgb, scale: number, win: { w: number; h: number } | null, overlap: number, threshold: number): Promise<Detection[]> {
    const sw = Math.max(1, Math.round(img.width * scale)), sh = Math.max(1, Math.round(img.height * scale));
    const scaled = await resize(img, sw, sh);
    const exact = { x: sw / img.width, y: sh / img.height };
    // Dynamic models take the whole level (padded to their stride); fixed ones take tiles.
    const size = win ?? { w: Math.ceil(sw / 32) * 32, h: Math.ceil(sh / 32) * 32 };
    const ws = win ? windows(sw, sh, size, overlap, 1) : [{ x: 0, y: 0, w: size.w, h: size.h, scale: 1, inner: { left: false, top: false, right: false, bottom: false } }];
    const found: Detection[] = [];
    for (const w of ws) {
      const dets = await runWindow(scaled, w, threshold, size.w, size.h);
      for (const d of dets) {
        const m = toImage(d, w);
        if (cutByTile(m, w, 2)) continue;
        found.push({
          x1: m.x1 / exact.x, y1: m.y1 / exact.y, x2: m.x2 / exact.x, y2: m.y2 / exact.y, score: m.score,
          kps: m.kps ? m.kps.map((v, i) => v / (i % 2 === 0 ? exact.x : exact.y)) : null,
        });
      }
    }
    return found;
  }

  /** A fully convolutional detector on the region (x0, y0, w, h) enlarged by scale (> 1), filled straight into the tensor. */
  async function enlarged(img: Rgb, scale: number, x0: number, y0: number, w: number, h: number, threshold: number): Promise<Detection[]> {
    const tw = Math.ceil((w * scale) / 32) * 32, th = Math.ceil((h * scale) / 32) * 32;
    const out = await model.run(toTensorScaled(img, scale, x0, y0, tw, th, layout), spec.layout === 'nchw' ? [1, 3, th, tw] : [1, th, tw, 3]);
    return decode(out, tw, th, threshold).map((d) => ({
      x1: d.x1 / scale + x0, y1: d.y1 / scale + y0, x2: d.x2 / scale + x0, y2: d.y2 / scale + y0, score: d.score,
      kps: d.kps ? d.kps.map((v, i) => v / scale + (i % 2 === 0 ? x0 : y0)) : null,
    }));
  }

  /**
   * The fine pass of a fully convolutional detector: the image enlarged by `scale`, whole
   * when small enough, else in overlapping tiles so an 8K frame never needs an enlarged
   * copy of itself in memory.
   */
  async function fine(img: Rgb, scale: number, threshold: number): Promise<Detection[]> {
    if (Math.max(img.width, img.height) * scale <= WHOLE_MAX) return enlarged(img, scale, 0, 0, img.width, img.height, threshold);
    const found: Detection[] = [];
    const side = Math.round(TILE / scale);
    for (const w of windows(img.width, img.height, { w: side, h: side }, Math.round(TILE_OVERLAP / scale), 1)) {
      const dets = await enlarged(img, scale, w.x, w.y, Math.min(side, img.width - w.x), Math.min(side, img.height - w.y), threshold);
      for (const d of dets) if (!cutByTile(d, w, 2 / scale)) found.push(d);
    }
    return found;
  }

  /** The detector's best score for d on a crop centred on it, d's long side `share` of the input. */
  async function look(img: Rgb, d: Detection, share: number): Promise<number> {
    const inW = spec.inputSize?.width ?? LOOK_SIDE, inH = spec.inputSize?.height ?? LOOK_SIDE;
    const k = (share * Math.min(inW, inH)) / Math.max(d.x2 - d.x1, d.y2 - d.y1, 1e-6);
    const tx = inW / 2 - ((d.x1 + d.x2) / 2) * k, ty = inH / 2 - ((d.y1 + d.y2) / 2) * k;
    const crop = warpSimilarity(img, { a: k, b: 0, tx, ty }, inW, inH);
    const out = await model.run(toTensor(crop, 0, 0, inW, inH, layout), spec.layout === 'nchw' ? [1, 3, inH, inW] : [1, inH, inW, 3]);
    const seen: Detection = { x1: d.x1 * k + tx, y1: d.y1 * k + ty, x2: d.x2 * k + tx, y2: d.y2 * k + ty, score: d.score, kps: null };
    let best = 0;
    for (const e of decode(out, inW, inH, LOOK_FLOOR)) if (e.score > best && iou(e, seen) >= LOOK_IOU) best = e.score;
    return best;
  }

  /**
   * The crop is the second look's at its larger share, turned about the box's centre; of the
   * detections there, the surest whose centre lies within a quarter of the input of the
   * crop's centre is the face (a neighbour's face at the crop's edge is not).
   */
  async function lookTurned(img: Rgb, d: Detection, turnDeg: number): Promise<TurnedLook> {
    const inW = spec.inputSize?.width ?? LOOK_SIDE, inH = spec.inputSize?.height ?? LOOK_SIDE;
    const share = LOOK_SHARES[LOOK_SHARES.length - 1] as number;
    const k = (share * Math.min(inW, inH)) / Math.max(d.x2 - d.x1, d.y2 - d.y1, 1e-6);
    const phi = (-turnDeg * Math.PI) / 180;
    const a = k * Math.cos(phi), b = k * Math.sin(phi);
    const cx = (d.x1 + d.x2) / 2, cy = (d.y1 + d.y2) / 2;
    const to: Similarity = { a, b, tx: inW / 2 - (a * cx - b * cy), ty: inH / 2 - (b * cx + a * cy) };
    const crop = warpSimilarity(img, to, inW, inH);
    const out = await model.run(toTensor(crop, 0, 0, inW, inH, layout), spec.layout === 'nchw' ? [1, 3, inH, inW] : [1, inH, inW, 3]);
    const near = Math.min(inW, inH) / 4;
    let found: Detection | null = null;
    for (const e of decode(out, inW, inH, LOOK_FLOOR)) {
      if (Math.hypot((e.x1 + e.x2) / 2 - inW / 2, (e.y1 + e.y2) / 2 - inH / 2) <= near && (!found || e.score > found.score)) found = e;
    }
    return { crop, found, back: invertSimilarity(to) };
  }

  /** Candidates the second look confirms, the best scoring first. */
  async function confirm(img: Rgb, candidates: Detection[], maxFaces: number): Promise<ConfirmedDetection[]> {
    const kept: ConfirmedDetection[] = [];
    for (const d of [...candidates].sort((a, b) => b.score - a.score)) {
      if (kept.length >= maxFaces) break;
      let sum = 0;
      for (const share of LOOK_SHARES) sum += await look(img, d, share);
      const confirmation = sum / LOOK_SHARES.length;
      if (confirmation >= CONFIRM_MIN) kept.push({ ...d, confirmation });
    }
    return kept;
  }

  return {
    lookTurned,
    async detect(img, opts) {
      const long = Math.max(img.width, img.height);
      const threshold = opts.scoreThreshold;
      const found: Detection[] = [];
      if (spec.inputSize === null) {
        const coarse = Math.min(1, COARSE_SIDE / long);
        found.push(...(await level(img, coarse, null, 0, threshold)));
        opts.laps?.lap('detect');
        if (opts.smallFaces) {
          const maxSide = FINE_MAX_AT_COARSE / coarse;
          found.push(...(await fine(img, FINE_SCALE, threshold)).filter((d) => Math.max(d.x2 - d.x1, d.y2 - d.y1) < maxSide));
          opts.laps?.lap('fine');
        }
      } else {
        const win = { w: spec.inputSize.width, h: spec.inputSize.height };
        const overlap = Math.round(Math.min(win.w, win.h) / 4);
        const fit = Math.min(1, win.w / img.width, win.h / img.height);
        const limit = opts.smallFaces ? 1 : Math.max(fit, COARSE_SIDE / long);
        const scales = [fit];
        for (let s = fit * 2; s < limit * 0.75; s *= 2) scales.push(s);
        if (opts.smallFaces && fit < 1 && (scales[scales.length - 1] as number) < 0.99) scales.push(Math.min(1, limit));
        for (const [i, s] of scales.entries()) {
          const dets = await level(img, s, win, overlap, threshold);
          const maxSide = (LEVEL_MAX_SHARE * Math.min(win.w, win.h)) / s;
          found.push(...(i === 0 ? dets : dets.filter((d) => Math.max(d.x2 - d.x1, d.y2 - d.y1) < maxSide)));
          opts.laps?.lap(i === 0 ? 'detect' : 'fine');
        }
      }
      // Nesting is judged among confirmed faces only: a false big candidate must not take a real small face with it.
      const confirmed = dropNested(await confirm(img, nms(found, spec.nmsIoU, 0.6), opts.maxFaces ?? Infinity));
      opts.laps?.lap('secondLook');
      return confirmed;
    },
  };
}
