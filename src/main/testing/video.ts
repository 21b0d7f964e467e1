import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

export interface FacesVideo {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  /** 'h264' (an MP4) or 'mjpeg' (an AVI of JPEG frames, as many IP cameras record). */
  codec: 'h264' | 'mjpeg';
}

/**
 * Makes a video with ffmpeg in which real face photos move across a busy background, come
 * and go (so tracks start and end), as a synthetic stand-in for CCTV footage. The faces
 * come from the given photos (from the research face set, never copied into the repo).
 */
export async function makeFacesVideo(out: string, photos: readonly string[], v: FacesVideo): Promise<string> {
  const faceH = Math.round(v.height / 3);
  const inputs = photos.flatMap((p) => ['-i', p]);
  // Each photo is decoded once and its one frame repeated.
  const chains = photos.map((_, i) => `[${i + 1}:v]scale=-2:${faceH},setsar=1,loop=loop=-1:size=1:start=0,setpts=N/${v.fps}/TB[f${i}]`);
  let last = '0:v';
  photos.forEach((_, i) => {
    const period = 11 + 4 * i;
    const x = `mod(t*${40 + 25 * i}+${i * 200}\\,W-w)`;
    const y = `${Math.round((v.height - faceH) * (i / Math.max(1, photos.length - 1)) * 0.9)}`;
    chains.push(`[${last}][f${i}]overlay=x='${x}':y=${y}:shortest=1:enable='lt(mod(t\\,${period})\\,${period - 3})'[o${i}]`);
    last = `o${i}`;
  });
  const codec = v.codec === 'h264' ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(v.fps * 2)] : ['-c:v', 'mjpeg', '-q:v', '4', '-pix_fmt', 'yuvj420p'];
  await run(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${v.width}x${v.height}:r=${v.fps}:d=${v.seconds}`, ...inputs, '-filter_complex', chains.join(';'), '-map', `[${last}]`, '-t', String(v.seconds), ...codec, out],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return path.resolve(out);
}

/** A face tile shown in a composed scene from `fromS` to `toS`, moving in a straight line from (x0, y) to (x1, y). */
export interface Appearance {
  person: string;
  tile: string;
  fromS: number;
  toS: number;
  x0: number;
  x1: number;
  y: number;
  side: number;
}

/** A square face tile of `side` px cut from a photo around the face's box (with a margin), for composing scenes. */
export async function faceTile(photo: string, box: { x: number; y: number; w: number; h: number }, out: string, side: number): Promise<string> {
  const img = sharp(photo).autoOrient();
  const { width = 0, height = 0 } = await img.metadata();
  const m = Math.max(box.w, box.h) * 0.35;
  const s = Math.max(box.w, box.h) + 2 * m;
  const left = Math.max(0, Math.round(box.x + box.w / 2 - s / 2));
  const top = Math.max(0, Math.round(box.y + box.h / 2 - s / 2));
  const size = Math.min(Math.round(s), width - left, height - top);
  await sharp(photo).autoOrient().extract({ left, top, width: size, height: size }).resize(side, side).png().toFile(out);
  return out;
}

/**
 * A clip in which face tiles appear, move and leave as the appearances say (people one
 * after another at the same place, several at once), over ffmpeg's moving test pattern:
 * which person each detected face shows is known from where and when it is (personAt).
 */
export async function makeSceneVideo(out: string, appearances: readonly Appearance[], v: Omit<FacesVideo, 'codec'>): Promise<string> {
  const inputs = appearances.flatMap((a) => ['-i', a.tile]);
  const chains = appearances.map((a, i) => `[${i + 1}:v]scale=${a.side}:${a.side},setsar=1,loop=loop=-1:size=1:start=0,setpts=N/${v.fps}/TB[f${i}]`);
  let last = '0:v';
  appearances.forEach((a, i) => {
    const x = `${a.x0}+(${a.x1 - a.x0})*(t-${a.fromS})/${a.toS - a.fromS}`;
    chains.push(`[${last}][f${i}]overlay=x='${x}':y=${a.y}:shortest=1:enable='between(t\\,${a.fromS}\\,${a.toS})'[o${i}]`);
    last = `o${i}`;
  });
  await run(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${v.width}x${v.height}:r=${v.fps}:d=${v.seconds}`, ...inputs, '-filter_complex', chains.join(';'), '-map', `[${last}]`, '-t', String(v.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return path.resolve(out);
}

/** Whose face is at this box at this time of a composed scene: the appearance whose tile holds the box's centre (null: none, or the edge of a change). */
export function personAt(appearances: readonly Appearance[], timeMs: number, box: { x: number; y: number; w: number; h: number }): string | null {
  const t = timeMs / 1000;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const hits = appearances.filter((a) => {
    if (t < a.fromS + 0.05 || t > a.toS - 0.05) return false;
    const x = a.x0 + ((a.x1 - a.x0) * (t - a.fromS)) / (a.toS - a.fromS);
    return cx >= x && cx <= x + a.side && cy >= a.y && cy <= a.y + a.side;
  });
  return hits.length === 1 ? (hits[0] as Appearance).person : null;
}

/** For faces with a track and a known person: how many tracks each person was split into, and how many people each track holds. */
export function trackPurity(faces: readonly { trackId: number | null; person: string | null }[]) {
  const tracksOf = new Map<string, Set<number>>();
  const peopleOf = new Map<number, Set<string>>();
  for (const f of faces) {
    if (f.trackId === null || f.person === null) continue;
    tracksOf.set(f.person, (tracksOf.get(f.person) ?? new Set()).add(f.trackId));
    peopleOf.set(f.trackId, (peopleOf.get(f.trackId) ?? new Set()).add(f.person));
  }
  return {
    tracksPerPerson: Object.fromEntries([...tracksOf].map(([p, s]) => [p, s.size])),
    peoplePerTrack: Object.fromEntries([...peopleOf].map(([t, s]) => [t, s.size])),
  };
}
