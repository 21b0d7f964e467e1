import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

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
