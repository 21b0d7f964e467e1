import {
  type AnalysedFace,
  type AnalyseInput,
  AnalyseOptions,
  embedderId,
  type ImageAnalysis,
  LoupeError,
  type ModelPack,
  type ReembedRequest,
} from '../../shared';
import { alignFace, applySimilarity, estimateSimilarity } from './align';
import { decodeImage, type Decoded, fromRawFrame } from './decode';
import { type ConfirmedDetection, createDetector } from './detect';
import { crop, encodeJpeg, encodeJpegFit, type Rgb } from './image';
import { type Laps, laps } from './laps';
import { createLandmarkFinder, fivePoints, type Point } from './landmarks';
import { assessQuality } from './quality';
import { faceBack, quarterTurn } from './rotate';
import { Model } from './session';
import { toTensor } from './tensor';
import { createUprighter, PORTRAIT_EYES_PX } from './upright';

export { CONFIRM_MIN, type ConfirmedDetection } from './detect';
export type { Rgb } from './image';
export type { Point } from './landmarks';

/** The model bytes of a pack, already checked against the manifest's hashes by the caller. */
export interface PackModels {
  manifest: ModelPack;
  detector: Uint8Array;
  landmarks?: Uint8Array;
  embedder: Uint8Array;
}

export interface FaceAnalyser {
  readonly manifest: ModelPack;
  /** Everything about one image or frame: decode, detect, align, quality, embed, crops. */
  analyse(input: AnalyseInput, options?: AnalyseOptions): Promise<ImageAnalysis>;
  /** Only the faces' boxes and landmarks (no embedding): for benchmarks and tracking. */
  detect(image: Rgb, options?: AnalyseOptions): Promise<{ detection: ConfirmedDetection; landmarks5: Point[] }[]>;
  /** The embedding of an already aligned crop. */
  embed(aligned: Rgb): Promise<Float32Array>;
  /** The embedding, by this pack, of a face a case holds (its stored aligned crop), aligned again to this pack's template when the crop was made for another. */
  reembed(face: ReembedRequest): Promise<Float32Array>;
  close(): Promise<void>;
}

/** How the quality record says a face fails the likeness measure (quality.ts). */
const NOT_A_FACE = 'may not be a face';

/** Share of the box added on each side for the face crop shown to examiners. */
const FACE_MARGIN = 0.3;
const FACE_JPEG_SIDE = 256;
const THUMB_SIDE = 320;
/** A stored aligned crop is small (112 px for the shipped packs); anything near this is not one. */
const ALIGNED_MAX_PIXELS = 1024 * 1024;

export async function createFaceAnalyser(pack: PackModels): Promise<FaceAnalyser> {
  const m = pack.manifest;
  if (m.detector.kind !== 'yunet' && !m.landmarks) {
    throw new LoupeError('integrity', `Pack ${m.name}: a ${m.detector.kind} detector gives no landmarks, so the pack needs a landmark model.`);
  }
  if (m.landmarks && !pack.landmarks) throw new LoupeError('integrity', `Pack ${m.name}: the landmark model bytes are missing.`);
  const loaded: Model[] = [];
  const load = async (bytes: Uint8Array, label: string) => {
    const model = await Model.load(bytes, label);
    loaded.push(model);
    return model;
  };
  let detectorModel: Model, landmarkModel: Model | null, embedderModel: Model;
  try {
    detectorModel = await load(pack.detector, 'face detector');
    landmarkModel = m.landmarks && pack.landmarks ? await load(pack.landmarks, 'landmark') : null;
    embedderModel = await load(pack.embedder, 'face recogniser');
  } catch (e) {
    // A pack that fails part way releases the sessions it had already opened.
    await Promise.all(loaded.map((model) => model.close()));
    throw e;
  }
  const detector = createDetector(detectorModel, m.detector);
  const landmarks = landmarkModel && m.landmarks ? createLandmarkFinder(landmarkModel, m.landmarks) : null;
  const uprighter = createUprighter(detector, landmarks);
  const emb = m.embedder;
  const template = emb.alignmentTemplate as [number, number][];
  const packRef = { name: m.name, version: m.version, embedder: embedderId(m) };

  async function embed(aligned: Rgb): Promise<Float32Array> {
    const { width, height } = emb.inputSize;
    const out = await embedderModel.run(toTensor(aligned, 0, 0, width, height, { ...emb, layout: 'nchw' }), [1, 3, height, width]);
    const raw = Object.values(out)[0]?.data;
    if (!raw || raw.length !== emb.embeddingSize) throw new LoupeError('integrity', `The recogniser gave ${raw?.length ?? 0} values, not ${emb.embeddingSize}.`);
    let norm = 0;
    for (let i = 0; i < raw.length; i++) norm += (raw[i] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    const e = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) e[i] = (raw[i] as number) / norm;
    return e;
  }

  async function detect(image: Rgb, options: AnalyseOptions = {}, clock?: Laps) {
    const o = AnalyseOptions.parse(options);
    // One more than the cap is confirmed, so an image with more faces than are kept says so.
    const dets = await detector.detect(image, { smallFaces: o.smallFaces, scoreThreshold: o.scoreThreshold ?? m.detector.scoreThreshold, maxFaces: o.maxFaces + 1, laps: clock });
    const out: { detection: ConfirmedDetection; landmarks5: Point[] }[] = [];
    for (const d of dets.slice(0, o.maxFaces)) {
      const l5 = await fivePoints(image, d, landmarks);
      if (o.minInterEyePx > 0 && Math.hypot(l5[1]![0] - l5[0]![0], l5[1]![1] - l5[0]![1]) < o.minInterEyePx) continue;
      out.push({ detection: d, landmarks5: l5 });
    }
    clock?.lap('landmarks');
    return Object.assign(out, { moreFaces: dets.length > o.maxFaces });
  }

  async function faceJpeg(image: Rgb, d: ConfirmedDetection): Promise<Uint8Array> {
    const w = d.x2 - d.x1, h = d.y2 - d.y1;
    const c = crop(image, d.x1 - w * FACE_MARGIN, d.y1 - h * FACE_MARGIN, w * (1 + 2 * FACE_MARGIN), h * (1 + 2 * FACE_MARGIN));
    return c ? encodeJpegFit(c, FACE_JPEG_SIDE, 85) : new Uint8Array(0);
  }

  /**
   * The stored crop is the source image warped by the similarity that took the face's landmarks
   * onto the old template; the same similarity places the landmarks in the crop, whence they are
   * aligned to this pack's template. With the same template and size that is the identity, so
   * the crop is encoded as it is (no resampling).
   */
  async function reembed(face: ReembedRequest): Promise<Float32Array> {
    const { image } = await decodeImage(face.aligned, ALIGNED_MAX_PIXELS);
    const same =
      face.from.width === emb.inputSize.width &&
      face.from.height === emb.inputSize.height &&
      image.width === emb.inputSize.width &&
      image.height === emb.inputSize.height &&
      face.from.template.every((p, i) => p[0] === template[i]?.[0] && p[1] === template[i]?.[1]);
    if (same) return embed(image);
    const toOld = estimateSimilarity(face.landmarks5, face.from.template);
    const inCrop = face.landmarks5.map((p) => applySimilarity(toOld, p));
    return embed(alignFace(image, inCrop, template, emb.inputSize.width, emb.inputSize.height).image);
  }

  return {
    manifest: m,
    detect,
    embed,
    reembed,
    async analyse(input, options = {}) {
      const o = AnalyseOptions.parse(options);
      const clock = laps(o.profile);
      const t0 = performance.now();
      const decoded: Decoded = input instanceof Uint8Array ? await decodeImage(input, o.maxPixels) : fromRawFrame(input, o.maxPixels);
      const { image } = decoded;
      clock.lap('decode');
      const t1 = performance.now();
      let found = await detect(image, o, clock);
      // Nothing found in a photo: look again turned a quarter each way (rotate.ts). Turned, the detector
      // also takes some texture for a face (a dog's head in groups/dogs.jpg, 14 px between its "eyes",
      // likeness 1), so a turned pass keeps only faces that pass the likeness measure and are of portrait
      // size (PORTRAIT_EYES_PX: a photo taken sideways, not a crowd); of the two turns, the one whose
      // best face the detector is surer of wins (the other shows the face upside down, which it may also
      // read, with landmarks that align it wrongly). Not for video frames: it would triple the cost of
      // every empty frame of a fixed, upright camera.
      if (found.length === 0 && input instanceof Uint8Array) {
        let best: { faces: typeof found; score: number } | null = null;
        for (const turns of [1, 3] as const) {
          const again = await detect(quarterTurn(image, turns), o, clock);
          const kept = again
            .map((f) => faceBack(f, turns, image.width, image.height))
            .filter(({ detection: d, landmarks5 }) => {
              const aligned = alignFace(image, landmarks5, template, emb.inputSize.width, emb.inputSize.height).image;
              const q = assessQuality(landmarks5, aligned, { box: { w: d.x2 - d.x1, h: d.y2 - d.y1 }, confirmation: d.confirmation });
              return q.interEyePx >= PORTRAIT_EYES_PX && !q.reasons.some((r) => r.startsWith(NOT_A_FACE));
            });
          const score = Math.max(...kept.map((f) => f.detection.score));
          if (kept.length > 0 && (!best || score > best.score)) best = { faces: Object.assign(kept, { moreFaces: again.moreFaces }), score };
        }
        if (best) found = best.faces;
      }
      // Faces rolled far from upright, or read upright by a doubtful detector, are read again turned (upright.ts).
      const upright = [];
      for (const f of found) upright.push(await uprighter.upright(image, f));
      clock.lap('landmarks');
      const t2 = performance.now();
      const faces: AnalysedFace[] = [];
      for (const { detection: d, landmarks5, turnDeg } of upright) {
        const aligned = alignFace(image, landmarks5, template, emb.inputSize.width, emb.inputSize.height).image;
        clock.lap('align');
        const quality = assessQuality(landmarks5, aligned, { box: { w: d.x2 - d.x1, h: d.y2 - d.y1 }, confirmation: d.confirmation, turnDeg });
        clock.lap('quality');
        const embedding = await embed(aligned);
        clock.lap('embed');
        const alignedJpeg = await encodeJpeg(aligned, 92);
        const cropJpeg = await faceJpeg(image, d);
        clock.lap('crops');
        faces.push({
          box: { x: d.x1, y: d.y1, w: d.x2 - d.x1, h: d.y2 - d.y1 },
          landmarks5: landmarks5.map((p) => [p[0], p[1]] as [number, number]),
          detectorScore: Math.max(0, Math.min(1, d.score)),
          quality,
          embedding,
          alignedJpeg,
          faceJpeg: cropJpeg,
        });
      }
      const t3 = performance.now();
      const thumbnailJpeg = o.thumbnail ? await encodeJpegFit(image, THUMB_SIDE, 80) : new Uint8Array(0);
      clock.lap('thumbnail');
      return {
        width: image.width,
        height: image.height,
        format: decoded.format,
        exif: decoded.exif,
        thumbnailJpeg,
        faces,
        moreFaces: found.moreFaces,
        pages: decoded.pages,
        pack: packRef,
        timings: { decodeMs: t1 - t0, detectMs: t2 - t1, facesMs: t3 - t2, totalMs: performance.now() - t0 },
        ...(clock.stages ? { stages: clock.stages } : {}),
      };
    },
    async close() {
      await Promise.all([detectorModel.close(), landmarkModel?.close(), embedderModel.close()]);
    },
  };
}
