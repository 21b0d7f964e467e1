import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, LoupeError } from '../../shared';
import { applySimilarity, estimateSimilarity, warpSimilarity } from './align';
import { decodeBmp } from './bmp';
import { decodeImage, fromRawFrame } from './decode';
import { decodeOutputs, dropNested, nms, tileStarts } from './detect';
import { parseExif } from './exif';
import { assessQuality, faceGeometry, LIMITS, poseFromLandmarks } from './quality';
import { toTensor, toTensorScaled } from './tensor';

const template = ARCFACE_TEMPLATE_112 as [number, number][];

describe('similarity alignment', () => {
  it('recovers a known rotation, scale and shift from five points', () => {
    const truth = { a: 2.1 * Math.cos(0.3), b: 2.1 * Math.sin(0.3), tx: 410, ty: -37 };
    const moved = template.map((p) => applySimilarity(truth, p));
    const m = estimateSimilarity(template, moved);
    expect(m.a).toBeCloseTo(truth.a, 6);
    expect(m.b).toBeCloseTo(truth.b, 6);
    expect(m.tx).toBeCloseTo(truth.tx, 4);
    expect(m.ty).toBeCloseTo(truth.ty, 4);
  });

  it('never mirrors: mirrored points give a rotation, not a reflection', () => {
    const mirrored = template.map(([x, y]) => [112 - x, y] as [number, number]);
    const m = estimateSimilarity(template, mirrored);
    const residual = template.map((p, i) => Math.hypot(applySimilarity(m, p)[0] - mirrored[i]![0], applySimilarity(m, p)[1] - mirrored[i]![1]));
    expect(Math.max(...residual)).toBeGreaterThan(5);
  });

  it('refuses points that coincide', () => {
    expect(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [5, 5]])).toThrow(RangeError);
  });

  it('moves a marked pixel onto its template position', () => {
    // A black 400x300 image with one white 3x3 mark at the "left eye" of a face drawn at scale 3.
    const img = { width: 400, height: 300, data: new Uint8Array(400 * 300 * 3) };
    const face = { a: 3 * Math.cos(-0.2), b: 3 * Math.sin(-0.2), tx: 60, ty: 40 };
    const marks = template.map((p) => applySimilarity(face, p));
    const [ex, ey] = marks[0]!.map(Math.round) as [number, number];
    for (let y = ey - 1; y <= ey + 1; y++) for (let x = ex - 1; x <= ex + 1; x++) img.data.fill(255, (y * 400 + x) * 3, (y * 400 + x) * 3 + 3);
    const out = warpSimilarity(img, estimateSimilarity(marks, template), 112, 112);
    let best = 0, at = [0, 0];
    for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) if (out.data[(y * 112 + x) * 3]! > best) [best, at] = [out.data[(y * 112 + x) * 3]!, [x, y]];
    expect(best).toBeGreaterThan(100);
    expect(Math.hypot(at[0]! - template[0]![0], at[1]! - template[0]![1])).toBeLessThan(1.5);
  });
});

describe('warping without rotation', () => {
  // A textured image: every pixel differs from its neighbours, so any misplaced sample shows.
  const W = 301, H = 203;
  const img = { width: W, height: H, data: new Uint8Array(W * H * 3).map((_, i) => (i * 7919 + ((i / 3) | 0) * 104729) % 251) };
  it.each([0.17, 0.3, 0.45, 0.7, 1, 1.8])('at scale %s gives what the general warp gives, borders included', (a) => {
    const m = { a, b: 0, tx: 96 - 150 * a, ty: 96 - 90 * a };
    const fast = warpSimilarity(img, m, 192, 192).data;
    // A rotation too small to move any sample by a representable amount takes the general path.
    const general = warpSimilarity(img, { ...m, b: 1e-300 }, 192, 192).data;
    let off = 0, most = 0;
    for (let i = 0; i < fast.length; i++) {
      most = Math.max(most, Math.abs(fast[i]! - general[i]!));
      if (fast[i] !== general[i]) off++;
    }
    expect(most).toBeLessThanOrEqual(1);
    // Only sums that land on a half (rounded the other way after another order of adding) may differ.
    expect(off / fast.length).toBeLessThan(0.01);
  });
});

describe('tensors', () => {
  const img = { width: 3, height: 2, data: new Uint8Array([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180]) };
  it('reorders channels, normalises and pads with black', () => {
    const t = toTensor(img, 0, 0, 4, 2, { colourOrder: 'bgr', layout: 'nchw', normalisation: { mean: [0, 0, 0], scale: [1, 1, 1] } });
    expect(Array.from(t.subarray(0, 8))).toEqual([30, 60, 90, 0, 120, 150, 180, 0]);
    const n = toTensor(img, 1, 0, 2, 1, { colourOrder: 'rgb', layout: 'nhwc', normalisation: { mean: [40, 50, 60], scale: [0.5, 0.5, 0.5] } });
    expect(Array.from(n)).toEqual([0, 0, 0, 15, 15, 15]);
  });
  it('enlarges bilinearly while filling', () => {
    const t = toTensorScaled(img, 2, 0, 0, 6, 4, { colourOrder: 'rgb', layout: 'nchw', normalisation: { mean: [0, 0, 0], scale: [1, 1, 1] } });
    // Output pixel (1, 0) samples source x = 0.25: a quarter of the way from 10 to 40 (red).
    expect(t[1]).toBeCloseTo(17.5, 4);
    expect(t[0]).toBeCloseTo(10, 4);
  });
});

describe('detection helpers', () => {
  it('keeps the best of overlapping candidates', () => {
    const d = (x: number, score: number) => ({ x1: x, y1: 0, x2: x + 10, y2: 10, score, kps: null });
    expect(nms([d(0, 0.7), d(1, 0.9), d(30, 0.5)], 0.3).map((k) => k.score)).toEqual([0.9, 0.5]);
  });
  it('averages the landmarks of one face seen twice when voting', () => {
    const a = { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9, kps: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5] };
    const b = { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.3, kps: [5, 5, 6, 6, 7, 7, 8, 8, 9, 9] };
    const [v] = nms([a, b], 0.3, 0.6);
    expect(v!.score).toBe(0.9);
    expect(v!.kps![0]).toBeCloseTo(2, 6);
    expect(nms([a, b], 0.3)[0]!.kps![0]).toBe(1);
  });

  it('decodes each detector kind from its raw outputs', () => {
    const t = (data: number[], dims: number[]) => ({ data: Float32Array.from(data), dims });
    // YuNet on a 32x32 input: one strong anchor at stride 8, column 2, row 1.
    const yunet: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const s of [8, 16, 32]) {
      const n = (32 / s) ** 2;
      yunet[`cls_${s}`] = t(new Array(n).fill(0), [1, n, 1]);
      yunet[`obj_${s}`] = t(new Array(n).fill(0), [1, n, 1]);
      yunet[`bbox_${s}`] = t(new Array(n * 4).fill(0), [1, n, 4]);
      yunet[`kps_${s}`] = t(new Array(n * 10).fill(0), [1, n, 10]);
    }
    const i = 1 * 4 + 2;
    yunet.cls_8!.data[i] = 0.81;
    yunet.obj_8!.data[i] = 1;
    yunet.bbox_8!.data.set([0.5, 0.25, Math.log(2), Math.log(3)], i * 4);
    const [y] = decodeOutputs('yunet', yunet, 32, 32, 0.6);
    expect(y!.score).toBeCloseTo(0.9, 5);
    expect([y!.x1, y!.y1, y!.x2, y!.y2].map((v) => +v.toFixed(4))).toEqual([12, -2, 28, 22]);
    expect(y!.kps!.slice(0, 2)).toEqual([16, 8]);
    // UltraFace: softmax pairs and corner boxes relative to the input.
    const [u] = decodeOutputs('ultraface', { scores: t([0.9, 0.1, 0.2, 0.8], [1, 2, 2]), boxes: t([0, 0, 1, 1, 0.25, 0.5, 0.5, 1], [1, 2, 4]) }, 320, 240, 0.7);
    expect([u!.x1, u!.y1, u!.x2, u!.y2, u!.kps]).toEqual([80, 120, 160, 240, null]);
    // BlazeFace (128 px): logits; offsets in pixels from the cell centre on a 16x16 grid of 2 anchors and an 8x8 grid of 6.
    const bf = { s1: t(new Array(512).fill(-10), [1, 512, 1]), s2: t(new Array(384).fill(-10), [1, 384, 1]), b1: t(new Array(512 * 16).fill(0), [1, 512, 16]), b2: t(new Array(384 * 16).fill(0), [1, 384, 16]) };
    bf.s1.data[(3 * 16 + 5) * 2] = 4;
    bf.b1.data.set([1, -1, 20, 24], (3 * 16 + 5) * 2 * 16);
    const [z] = decodeOutputs('blazeface', bf, 128, 128, 0.75);
    expect(z!.score).toBeCloseTo(1 / (1 + Math.exp(-4)), 6);
    expect([z!.x1, z!.y1, z!.x2, z!.y2]).toEqual([5.5 * 8 + 1 - 10, 3.5 * 8 - 1 - 12, 5.5 * 8 + 1 + 10, 3.5 * 8 - 1 + 12]);
  });

  it('drops a candidate inside a much bigger one, not a neighbour', () => {
    const d = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2, score: 0.8, kps: null });
    const face = d(0, 0, 100, 100), eye = d(20, 20, 40, 40), neighbour = d(95, 0, 115, 20), similar = d(10, 10, 70, 70);
    expect(dropNested([face, eye, neighbour, similar])).toEqual([face, neighbour, similar]);
    const sureEye = { ...eye, score: 0.95 };
    expect(dropNested([face, sureEye])).toEqual([face, sureEye]);
  });

  it('covers a length with overlapping windows', () => {
    const starts = tileStarts(1000, 320, 80);
    expect(starts[0]).toBe(0);
    expect(starts.at(-1)! + 320).toBe(1000);
    for (let i = 1; i < starts.length; i++) expect(starts[i - 1]! + 320 - starts[i]!).toBeGreaterThanOrEqual(80);
    expect(tileStarts(200, 320, 80)).toEqual([0]);
  });
});

describe('pose from landmarks', () => {
  it('reads roll from the eye line and yaw from the nose', () => {
    const frontal = poseFromLandmarks(template);
    expect(Math.abs(frontal.yawDeg)).toBeLessThan(5);
    expect(Math.abs(frontal.rollDeg)).toBeLessThan(1);
    const turned = template.map(([x, y], i) => (i === 2 ? [x + 12, y] : [x, y]) as [number, number]);
    expect(Math.abs(poseFromLandmarks(turned).yawDeg)).toBeGreaterThan(30);
    const r = 20 * (Math.PI / 180);
    const tilted = template.map(([x, y]) => [x * Math.cos(r) - y * Math.sin(r), x * Math.sin(r) + y * Math.cos(r)] as [number, number]);
    expect(poseFromLandmarks(tilted).rollDeg).toBeCloseTo(20 + frontal.rollDeg, 3);
  });
});

describe('pose of a face read turned', () => {
  const crop = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3).map((_, i) => 60 + ((Math.floor(i / 3) * 7919) % 131)) };
  const rolled = (deg: number) => {
    const r = deg * (Math.PI / 180);
    return template.map(([x, y]) => [2 * (x * Math.cos(r) - y * Math.sin(r)) + 300, 2 * (x * Math.sin(r) + y * Math.cos(r)) + 300] as [number, number]);
  };
  const box = { w: 2 * 72, h: 2 * 92 };

  it('costs a face rolled 90 degrees its pose where its landmarks were read rolled, not where they were read on it turned upright', () => {
    const readRolled = assessQuality(rolled(90), crop, { box, confirmation: 0.93 });
    const readUpright = assessQuality(rolled(90), crop, { box, confirmation: 0.93, turnDeg: 90 });
    expect(readRolled.components.pose).toBeLessThan(0.02);
    expect(readUpright.components.pose).toBe(1);
    // The roll reported is still the face's in the photo.
    expect(readUpright.rollDeg).toBeCloseTo(readRolled.rollDeg, 6);
    expect(Math.abs(readUpright.rollDeg - 90)).toBeLessThan(2);
    // Upside down, read turned a half turn: the eye line reads about -180 or 180, either side of the turn.
    expect(assessQuality(rolled(179), crop, { box, confirmation: 0.93, turnDeg: -180 }).components.pose).toBe(1);
  });
});

describe('face likeness', () => {
  // A textured 112x112 crop, sharp and well exposed, so only likeness varies below.
  const crop = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3).map((_, i) => 60 + ((Math.floor(i / 3) * 7919) % 131)) };
  // The template face scaled 2x, with the box a detector draws around it (brows to chin).
  const face = template.map(([x, y]) => [2 * x, 2 * y] as [number, number]);
  const box = { w: 2 * 72, h: 2 * 92 };

  it('finds a face\'s proportions in the template', () => {
    const g = faceGeometry(face, box);
    expect(g.ordered).toBe(true);
    expect(g.eyeMouth).toBeGreaterThan(1);
    expect(g.eyeMouth).toBeLessThan(1.3);
    expect(g.boxSide).toBeGreaterThan(2);
    expect(g.boxSide).toBeLessThan(3.7);
  });

  it('gives a sure, well-proportioned face full likeness and no reason', () => {
    const q = assessQuality(face, crop, { box, confirmation: 0.93 });
    expect(q.components.likeness).toBe(1);
    expect(q.secondLookScore).toBeCloseTo(0.93, 6);
    expect(q.reasons.join(' ')).not.toMatch(/may not be a face/);
  });

  it('flags a candidate the detector is unsure of on a second look, and scores it lower', () => {
    const sure = assessQuality(face, crop, { box, confirmation: 0.93 });
    const unsure = assessQuality(face, crop, { box, confirmation: 0.55 });
    expect(unsure.components.likeness).toBeLessThan(LIMITS.minLikeness);
    expect(unsure.insufficient).toBe(true);
    expect(unsure.reasons.join(' ')).toMatch(/55% sure on a second look/);
    expect(unsure.score).toBeLessThan(sure.score * 0.75);
  });

  it('flags landmarks without a face\'s order or proportions', () => {
    // Mirrored top to bottom: with the eyes level and the left one first, the mouth is above them.
    const flipped = face.map(([x, y]) => [x, 300 - y] as [number, number]);
    const upside = assessQuality(flipped, crop, { box, confirmation: 0.95 });
    expect(upside.components.likeness).toBe(0);
    expect(upside.reasons.join(' ')).toMatch(/not below the eyes/);
    // Eyes almost touching in a big box: a texture the detector drew five points on.
    const squeezed = face.map(([x, y], i) => (i < 2 ? [112 + (x - 112) * 0.2, y] : [x, y]) as [number, number]);
    const odd = assessQuality(squeezed, crop, { box, confirmation: 0.95 });
    expect(odd.components.likeness).toBeLessThan(LIMITS.minLikeness);
    expect(odd.reasons.join(' ')).toMatch(/eyes to mouth .* times the eye distance/);
  });
});

describe('EXIF', () => {
  it('reads capture time with its offset and the camera from a real JPEG', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Canon', Model: 'Canon EOS 5D', DateTime: '2020:01:02 03:04:05' }, IFD2: { DateTimeOriginal: '2019:05:04 13:22:01', OffsetTimeOriginal: '+02:00' } })
      .toBuffer();
    const d = await decodeImage(new Uint8Array(jpeg), 1e6);
    expect(d.exif).toEqual({ captureTime: '2019-05-04T13:22:01+02:00', camera: 'Canon EOS 5D' });
  });
  it('falls back to the file date and joins make and model', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).jpeg().withExif({ IFD0: { Make: 'Axis', Model: 'P1375', DateTime: '2021:11:30 23:59:58' } }).toBuffer();
    expect((await decodeImage(new Uint8Array(jpeg), 1e6)).exif).toEqual({ captureTime: '2021-11-30T23:59:58', camera: 'Axis P1375' });
  });
  it('gives nothing for damaged blocks, never an exception', () => {
    expect(parseExif(undefined)).toEqual({});
    expect(parseExif(new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, 0x49, 0x49, 0x2a, 0, 0xff, 0xff, 0xff, 0x7f]))).toEqual({});
    const huge = new Uint8Array(64);
    huge.set([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0xff, 0xff]);
    expect(parseExif(huge)).toEqual({});
  });
});

describe('BMP', () => {
  function bmp24(w: number, h: number, rgb: Uint8Array): Uint8Array {
    const stride = Math.ceil((w * 3) / 4) * 4;
    const b = new Uint8Array(54 + stride * h);
    const v = new DataView(b.buffer);
    b.set([0x42, 0x4d]);
    v.setUint32(2, b.length, true);
    v.setUint32(10, 54, true);
    v.setUint32(14, 40, true);
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, 24, true);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = 54 + (h - 1 - y) * stride + x * 3, q = (y * w + x) * 3;
        b[p] = rgb[q + 2]!;
        b[p + 1] = rgb[q + 1]!;
        b[p + 2] = rgb[q]!;
      }
    }
    return b;
  }
  const rgb = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);

  it('decodes a bottom-up 24-bit bitmap pixel for pixel', async () => {
    const d = await decodeImage(bmp24(5, 3, rgb), 1e6);
    expect(d.format).toBe('bmp');
    expect(Array.from(d.image.data)).toEqual(Array.from(rgb));
  });
  it('refuses truncated and oversized bitmaps with a reason', () => {
    const good = bmp24(5, 3, rgb);
    expect(() => decodeBmp(good.subarray(0, 60), 1e6)).toThrow(/truncated/);
    const big = new Uint8Array(good);
    new DataView(big.buffer).setInt32(18, 100000, true);
    new DataView(big.buffer).setInt32(22, 100000, true);
    expect(() => decodeBmp(big, 1e6)).toThrow(LoupeError);
  });
});

describe('size limits', () => {
  it('refuses a strip longer than the longest side from its header, though it has few pixels', async () => {
    const strip = new Uint8Array(await sharp({ create: { width: 20000, height: 2, channels: 3, background: '#808080' } }).png().toBuffer());
    const err = await decodeImage(strip, 8192 * 8192).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LoupeError);
    expect((err as LoupeError).code).toBe('unsupported_file');
    expect((err as LoupeError).message).toMatch(/20000 x 2 pixels.*no side over 16384/);
    expect(() => fromRawFrame({ width: 20000, height: 1, data: new Uint8Array(60000) }, 8192 * 8192)).toThrow(/no side over 16384/);
  });
});
