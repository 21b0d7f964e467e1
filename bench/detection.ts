/**
 * Detection per model pack.
 *  1. groups/dlib_examples_faces against the hand-drawn boxes of its XML files: recall and
 *     precision at IoU >= 0.5. dlib's boxes are tight squares (brows to chin) while each
 *     detector draws its own kind of box, so detector boxes are first mapped to dlib's
 *     convention by a fixed centre shift and size factor per pack, fitted on training.xml
 *     only; figures are given for all images, for testing.xml alone and without mapping.
 *  2. Small faces: real faces from identities/ scaled to 12, 16 and 24 px between the eyes
 *     and pasted (feathered, with their surroundings) into 1920x1080 frames over a face-free
 *     photo; a pasted face counts as found when a detection's centre falls inside its box
 *     and the detection is between half and twice its size.
 *  3. False faces: bench/face-counts.json gives, for the portraits of identities/ and a few
 *     group photos, how many faces each holds (counted by eye) and how many more real ones
 *     a detector may or may not find; detections beyond both are false faces, reported per
 *     image and per megapixel. The dlib XML leaves out everything but people, so it cannot
 *     see a tie, a flag or a dog taken for a face; this does.
 *   node dist/bench-detection.js [--data DIR] [--pack NAME[,NAME]] [--json FILE] [--limit N]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { type FaceBox, type ImageAnalysis, MAX_IMAGE_PIXELS, type RawFrame } from '../src/shared';
import { decodePnm } from '../src/worker/face-analysis/pnm';
import { analyseAll, listIdentities, machine, mainFace, openPool, parseArgs, pct, peakRssMb, readInput, writeJson } from './_lib';
import faceCountsJson from './face-counts.json';

const USAGE = 'usage: detection [--data DIR] [--pack NAME[,NAME]] [--models-dir DIR] [--json FILE] [--workers N] [--limit N (identities for the small-face frames)] [--small-faces on,off (the small-face frames with the import setting on, off or both)]';

interface Truth {
  file: string;
  split: 'training' | 'testing';
  boxes: FaceBox[];
  ignore: FaceBox[];
}

function readDlibXml(file: string, split: Truth['split']): Truth[] {
  const xml = readFileSync(file, 'latin1');
  const out: Truth[] = [];
  for (const m of xml.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)) {
    const t: Truth = { file: m[1] as string, split, boxes: [], ignore: [] };
    for (const b of (m[2] as string).matchAll(/<box ([^>]*?)\/?>/g)) {
      const attr = (k: string) => Number((b[1] as string).match(new RegExp(`${k}='(-?\\d+)'`))?.[1] ?? NaN);
      const box = { x: attr('left'), y: attr('top'), w: attr('width'), h: attr('height') };
      ((b[1] as string).includes("ignore='1'") ? t.ignore : t.boxes).push(box);
    }
    out.push(t);
  }
  return out;
}

const iou = (a: FaceBox, b: FaceBox) => {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.w * a.h + b.w * b.h - w * h);
};

/** Detector box -> dlib-style square: centre moved by (dx, dy) box sizes, side = k * sqrt(w h). */
interface Mapping {
  dx: number;
  dy: number;
  k: number;
}
const IDENTITY: Mapping = { dx: 0, dy: 0, k: 1 };
const mapBox = (b: FaceBox, m: Mapping): FaceBox => {
  if (m === IDENTITY) return b;
  const side = m.k * Math.sqrt(b.w * b.h);
  const cx = b.x + b.w / 2 + m.dx * b.w, cy = b.y + b.h / 2 + m.dy * b.h;
  return { x: cx - side / 2, y: cy - side / 2, w: side, h: side };
};

/** Greedy one-to-one matching by IoU; returns matched truth count and unmatched detections. */
function match(dets: FaceBox[], truth: FaceBox[], ignore: FaceBox[], min: number): { tp: number; fp: number } {
  const used = new Set<number>();
  let tp = 0, fp = 0;
  for (const d of dets) {
    let best = -1, bestIou = min;
    truth.forEach((t, i) => {
      const v = iou(d, t);
      if (!used.has(i) && v >= bestIou) {
        bestIou = v;
        best = i;
      }
    });
    if (best >= 0) {
      used.add(best);
      tp++;
    } else if (!ignore.some((g) => iou(d, g) >= min)) fp++;
  }
  return { tp, fp };
}

/** Fits the mapping on training images: pairs each truth box with the nearest detection centre. */
function fitMapping(results: { truth: Truth; dets: FaceBox[] }[]): Mapping {
  const dx: number[] = [], dy: number[] = [], k: number[] = [];
  for (const { truth, dets } of results) {
    if (truth.split !== 'training') continue;
    for (const t of truth.boxes) {
      const tc = [t.x + t.w / 2, t.y + t.h / 2] as const;
      const d = dets
        .map((b) => ({ b, dist: Math.hypot(b.x + b.w / 2 - tc[0], b.y + b.h / 2 - tc[1]) }))
        .filter((c) => c.dist < t.w / 2)
        .sort((p, q) => p.dist - q.dist)[0]?.b;
      if (!d) continue;
      dx.push((tc[0] - (d.x + d.w / 2)) / d.w);
      dy.push((tc[1] - (d.y + d.h / 2)) / d.h);
      k.push(Math.sqrt(t.w * t.h) / Math.sqrt(d.w * d.h));
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
  return dx.length ? { dx: median(dx), dy: median(dy), k: median(k) } : IDENTITY;
}

/**
 * The XML marks faces of about 37 px and up and leaves smaller ones out (the bar's back
 * room in 2008_002079.jpg, the dancers on a screen in 2008_004176.jpg): detections under
 * half the smallest marked face are not counted either way.
 */
function score(results: { truth: Truth; dets: FaceBox[] }[], m: Mapping, split?: Truth['split']) {
  const smallest = Math.min(...results.flatMap((r) => r.truth.boxes.map((b) => Math.min(b.w, b.h))));
  let tp = 0, fp = 0, n = 0, tiny = 0;
  for (const r of results) {
    if (split && r.truth.split !== split) continue;
    const dets = r.dets.map((b) => mapBox(b, m));
    const counted = dets.filter((d) => Math.min(d.w, d.h) >= smallest / 2);
    tiny += dets.length - counted.length;
    const s = match(counted, r.truth.boxes, r.truth.ignore, 0.5);
    tp += s.tp;
    fp += s.fp;
    n += r.truth.boxes.length;
  }
  return { faces: n, found: tp, falseDetections: fp, smallerThanMarked: tiny, recall: n ? tp / n : 0, precision: tp + fp ? tp / (tp + fp) : 0 };
}

interface SourceFace {
  file: string;
  box: FaceBox;
  eyes: [[number, number], [number, number]];
}

/** Frames of pasted faces at one size; truth boxes in frame pixels. */
async function pastedFrames(sources: SourceFace[], root: string, background: RawFrame, ied: number): Promise<{ frame: RawFrame; truth: FaceBox[] }[]> {
  const W = 1920, H = 1080, cols = 6, rows = 3;
  const frames: { frame: RawFrame; truth: FaceBox[] }[] = [];
  for (let start = 0; start < sources.length; start += cols * rows) {
    const data = new Uint8Array(background.data);
    const truth: FaceBox[] = [];
    const batch = sources.slice(start, start + cols * rows);
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i] as SourceFace;
      const input = readFileSync(path.join(root, s.file));
      // libvips reads no PGM/PPM (the ORL faces): those go through the engine's own reader.
      const pnm = /\.p[gp]m$/i.test(s.file) ? decodePnm(input, MAX_IMAGE_PIXELS) : null;
      const img = pnm
        ? { data: Buffer.from(pnm.data), info: { width: pnm.width, height: pnm.height } }
        : await sharp(input).autoOrient().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const srcIed = Math.hypot(s.eyes[1][0] - s.eyes[0][0], s.eyes[1][1] - s.eyes[0][1]);
      const f = ied / srcIed;
      // The face with as much of its surroundings as fits, scaled down like a distant camera would.
      const m = Math.max(s.box.w, s.box.h) * 0.8;
      const x0 = Math.max(0, Math.floor(s.box.x - m)), y0 = Math.max(0, Math.floor(s.box.y - m));
      const x1 = Math.min(img.info.width, Math.ceil(s.box.x + s.box.w + m)), y1 = Math.min(img.info.height, Math.ceil(s.box.y + s.box.h + m));
      const pw = Math.max(2, Math.round((x1 - x0) * f)), ph = Math.max(2, Math.round((y1 - y0) * f));
      const patch = await sharp(img.data, { raw: { width: img.info.width, height: img.info.height, channels: 3 } })
        .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
        .resize(pw, ph, { fit: 'fill', kernel: 'lanczos3' })
        .raw()
        .toBuffer();
      const cellW = W / cols, cellH = H / rows;
      const ox = Math.round((i % cols) * cellW + (cellW - pw) / 2), oy = Math.round(Math.floor(i / cols) * cellH + (cellH - ph) / 2);
      const feather = Math.max(1, Math.min(pw, ph) * 0.15);
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) {
          const fx = ox + x, fy = oy + y;
          if (fx < 0 || fy < 0 || fx >= W || fy >= H) continue;
          const edge = Math.min(x, y, pw - 1 - x, ph - 1 - y);
          const a = Math.min(1, edge / feather);
          for (let c = 0; c < 3; c++) {
            const o = (fy * W + fx) * 3 + c;
            data[o] = Math.round(a * (patch[(y * pw + x) * 3 + c] as number) + (1 - a) * (data[o] as number));
          }
        }
      }
      truth.push({ x: ox + (s.box.x - x0) * f, y: oy + (s.box.y - y0) * f, w: s.box.w * f, h: s.box.h * f });
    }
    frames.push({ frame: { width: W, height: H, data }, truth });
  }
  return frames;
}

const found = (d: FaceBox, t: FaceBox) => {
  const cx = d.x + d.w / 2, cy = d.y + d.h / 2;
  const ratio = Math.sqrt((d.w * d.h) / (t.w * t.h));
  return cx >= t.x && cx <= t.x + t.w && cy >= t.y && cy <= t.y + t.h && ratio >= 0.5 && ratio <= 2;
};

const FaceCounts = z.object({
  about: z.string(),
  images: z.array(
    z.object({
      /** Relative to the face data folder. */
      file: z.string().min(1),
      /** Faces a detector should find. */
      faces: z.number().int().nonnegative(),
      /** Further real faces it may or may not find (cut by the frame, defocused, tiny). */
      optional: z.number().int().nonnegative(),
      note: z.string(),
    }),
  ),
});
type CountedImage = z.infer<typeof FaceCounts>['images'][number];

/**
 * Detections beyond an image's faces + optional faces are false faces; fewer than its
 * faces are missed ones. By count, not by box: a miss and a false face in one image cancel,
 * which the per-image list in the JSON shows.
 */
async function falseFaces(pool: Awaited<ReturnType<typeof openPool>>, data: string, images: CountedImage[]) {
  const present = images.filter((i) => existsSync(path.join(data, i.file)));
  const t0 = performance.now();
  const res = await analyseAll(pool, present.map((i) => i.file), (f) => readInput(path.join(data, f)), (a) => ({
    megapixels: (a.width * a.height) / 1e6,
    detections: a.faces.length,
    sufficient: a.faces.filter((f) => !f.quality.insufficient).length,
    qualities: a.faces.map((f) => f.quality.score).sort((x, y) => y - x),
  }));
  const perImage = present.map((img, i) => {
    const r = res[i];
    if (!r || r instanceof Error) return { ...img, error: r?.message ?? 'no result', megapixels: 0, detections: 0, falseFaces: 0, falseSufficient: 0, missed: img.faces, qualities: [] };
    const allowed = img.faces + img.optional;
    return {
      ...img, ...r,
      falseFaces: Math.max(0, r.detections - allowed),
      // False faces not flagged insufficient: they reach search and grouping as ordinary candidates.
      falseSufficient: Math.max(0, r.sufficient - allowed),
      missed: Math.max(0, img.faces - r.detections),
    };
  });
  const sum = (f: (r: (typeof perImage)[number]) => number) => perImage.reduce((s, r) => s + f(r), 0);
  const megapixels = sum((r) => r.megapixels), falseTotal = sum((r) => r.falseFaces), expected = sum((r) => r.faces);
  return {
    images: perImage.length,
    absent: images.length - present.length,
    errors: perImage.filter((r) => 'error' in r).length,
    megapixels,
    faces: expected,
    missed: sum((r) => r.missed),
    recall: expected ? (expected - sum((r) => r.missed)) / expected : 0,
    falseFaces: falseTotal,
    falseNotInsufficient: sum((r) => r.falseSufficient),
    falsePerImage: perImage.length ? falseTotal / perImage.length : 0,
    falsePerMegapixel: megapixels ? falseTotal / megapixels : 0,
    imagesWithFalseFaces: perImage.filter((r) => r.falseFaces > 0).length,
    seconds: (performance.now() - t0) / 1000,
    perImage: perImage.map(({ note: _note, ...r }) => r),
  };
}

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE, ['small-faces']);
  const settings = (args.extra['small-faces'] ?? 'on').split(',');
  if (settings.length === 0 || settings.some((v) => v !== 'on' && v !== 'off')) throw new Error(`--small-faces takes on, off or on,off\n${USAGE}`);
  const dlibDir = path.join(args.data, 'groups', 'dlib_examples_faces');
  const truths = existsSync(dlibDir)
    ? [...readDlibXml(path.join(dlibDir, 'training.xml'), 'training'), ...readDlibXml(path.join(dlibDir, 'testing.xml'), 'testing')].filter((t) => existsSync(path.join(dlibDir, t.file)))
    : [];
  if (truths.length === 0) console.log(`groups/dlib_examples_faces with its XML boxes is absent in ${args.data}: group recall skipped`);
  const negative = path.join(dlibDir, 'dogs.jpg');
  const counts = FaceCounts.parse(faceCountsJson).images;

  // Small-face sources: one image per identity, located once with a reference pack so every pack gets the same faces.
  const idDir = path.join(args.data, 'identities');
  const reference = args.packs.includes('yunet') ? 'yunet' : (args.packs[0] as string);
  let sources: SourceFace[] = [];
  let background: RawFrame | null = null;
  if (existsSync(idDir)) {
    const files = listIdentities(idDir).map((i) => i.files[0] as string).slice(0, args.limit);
    const pool = await openPool(args, reference);
    const res = await analyseAll(pool, files, (f) => readInput(path.join(idDir, f)), (a: ImageAnalysis, f) => {
      const face = mainFace(a);
      return face ? { file: f, box: face.box, eyes: [face.landmarks5[0], face.landmarks5[1]] as SourceFace['eyes'] } : null;
    });
    await pool.close();
    sources = res.filter((r): r is SourceFace => r !== null && !(r instanceof Error));
    const bgFile = existsSync(negative) ? negative : null;
    const bg = bgFile
      ? await sharp(bgFile).resize(1920, 1080, { fit: 'cover' }).removeAlpha().raw().toBuffer()
      : Buffer.alloc(1920 * 1080 * 3, 128);
    background = { width: 1920, height: 1080, data: new Uint8Array(bg) };
    console.log(`small faces: ${sources.length} source faces (located with pack ${reference}), background ${bgFile ? 'dogs.jpg (no faces)' : 'plain grey'}`);
  } else console.log(`identities/ absent in ${args.data}: small faces skipped`);

  const results: Record<string, unknown> = {};
  for (const pack of args.packs) {
    console.log(`\n== pack ${pack}`);
    const out: Record<string, unknown> = {};
    const pool = await openPool(args, pack);
    try {
      if (truths.length) {
        const t0 = performance.now();
        const res = await analyseAll(pool, truths.map((t) => t.file), (f) => readInput(path.join(dlibDir, f)), (a) => a.faces.map((f) => f.box));
        const per = truths.map((truth, i) => ({ truth, dets: res[i] instanceof Error || !res[i] ? [] : (res[i] as FaceBox[]) }));
        const mapping = fitMapping(per);
        const all = score(per, mapping), test = score(per, mapping, 'testing'), raw = score(per, IDENTITY);
        console.log(`dlib groups: ${all.faces} faces in ${truths.length} images (${((performance.now() - t0) / 1000).toFixed(1)} s); box mapping fitted on training.xml: centre +${mapping.dx.toFixed(2)}w ${mapping.dy >= 0 ? '+' : ''}${mapping.dy.toFixed(2)}h, size x${mapping.k.toFixed(2)}`);
        console.log(`  all images:   recall ${pct(all.recall)} (${all.found}/${all.faces})  precision ${pct(all.precision)} (${all.falseDetections} false; ${all.smallerThanMarked} detections smaller than any marked face not counted)`);
        console.log(`  testing.xml:  recall ${pct(test.recall)} (${test.found}/${test.faces})  precision ${pct(test.precision)}`);
        console.log(`  boxes as drawn by the detector: recall ${pct(raw.recall)}  precision ${pct(raw.precision)}`);
        out.recallIoU50 = all.recall;
        out.precisionIoU50 = all.precision;
        out.groups = { mapping, all, testing: test, unmapped: raw };
        if (existsSync(negative)) {
          const neg = await pool.analyse(readInput(negative), { thumbnail: false });
          console.log(`  dogs.jpg (no face): ${neg.faces.length} detections`);
          out.negativeImageDetections = neg.faces.length;
        }
      }
      if (counts.length) {
        const f = await falseFaces(pool, args.data, counts);
        console.log(`false faces: ${f.images} images of known face count (${f.megapixels.toFixed(0)} MP, ${f.seconds.toFixed(1)} s${f.absent ? `, ${f.absent} absent` : ''}${f.errors ? `, ${f.errors} failed` : ''})`);
        console.log(`  ${f.falseFaces} false faces (${f.falseNotInsufficient} not flagged insufficient): ${f.falsePerImage.toFixed(2)} per image, ${f.falsePerMegapixel.toFixed(3)} per megapixel, in ${f.imagesWithFalseFaces} images; missed ${f.missed} of ${f.faces} faces (recall ${pct(f.recall)})`);
        const worst = f.perImage.filter((r) => r.falseFaces > 0 || r.missed > 0).sort((a, b) => b.falseFaces - a.falseFaces || b.missed - a.missed);
        for (const r of worst.slice(0, 12)) console.log(`    ${r.file}: ${r.detections} found, ${r.faces}${r.optional ? `+${r.optional}` : ''} expected, ${r.falseFaces} false${r.missed ? `, ${r.missed} missed` : ''} (quality ${r.qualities.join(' ')})`);
        out.falseFaces = f;
      }
      if (sources.length && background) {
        for (const setting of settings) {
          const small: Record<string, unknown> = {};
          if (settings.length > 1 || setting === 'off') console.log(`  small faces ${setting} (the import setting):`);
          for (const ied of [12, 16, 24]) {
            const frames = await pastedFrames(sources, idDir, background, ied);
            const t0 = performance.now();
            let hit = 0, total = 0, extra = 0;
            for (const { frame, truth } of frames) {
              const a = await pool.analyse(frame, { thumbnail: false, smallFaces: setting === 'on' });
              const boxes = a.faces.map((f) => f.box);
              total += truth.length;
              hit += truth.filter((t) => boxes.some((d) => found(d, t))).length;
              extra += boxes.filter((d) => !truth.some((t) => found(d, t))).length;
            }
            const secs = (performance.now() - t0) / 1000;
            console.log(`  ${ied} px between the eyes: recall ${pct(hit / total)} (${hit}/${total}), ${extra} other detections, ${(secs / frames.length).toFixed(2)} s per 1920x1080 frame`);
            small[`ied${ied}`] = hit / total;
            small[`ied${ied}Detail`] = { found: hit, faces: total, otherDetections: extra, secondsPerFrame: secs / frames.length };
          }
          if (setting === 'on') out.smallFaces = small;
          else out.smallFacesOff = small;
        }
      }
    } finally {
      await pool.close();
    }
    results[pack] = out;
  }
  const first = results[args.packs[0] as string] as Record<string, unknown>;
  const summary = {
    bench: 'detection', data: args.data, machine: machine(), peakRssMb: peakRssMb(), pack: args.packs[0],
    recallIoU50: first.recallIoU50, precisionIoU50: first.precisionIoU50, smallFaces: first.smallFaces, falseFaces: first.falseFaces, packs: results,
  };
  console.log(`\npeak RSS ${summary.peakRssMb} MB, load average ${summary.machine.loadAverage.join(' ')}`);
  writeJson(args.json, summary);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
