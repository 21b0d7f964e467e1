import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { LoupeError, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, withinImageLimits } from '../../shared';

/**
 * Frames sampled from a video by ffmpeg: one every 1/fps seconds plus one at each scene
 * change, decoded to raw RGB and streamed through a pipe (no frame ever touches disk).
 * ffmpeg's showinfo filter reports each selected frame's time and size on stderr before
 * the frame's bytes arrive on stdout, which is how the bytes are cut into frames.
 */

export interface VideoFrame {
  timeMs: number;
  width: number;
  height: number;
  data: Uint8Array;
}

export interface VideoFacts {
  durationMs: number | null;
  creationTime: string | null;
  codec: string | null;
}

/** Demuxers a CCTV export needs beyond the usual containers; the 2018 build in @ffmpeg-installer lacks dhav (FFmpeg 4.3+). */
const CCTV_DEMUXERS = ['dhav', 'mpegts', 'mpeg', 'h264', 'hevc'];

let chosen: string | null = null;

/**
 * The ffmpeg Loupe runs: LOUPE_FFMPEG when set (taken as is), else the first of these that
 * runs and reads every CCTV format (Dahua DAV included), else the first that runs at all:
 * the ffmpeg bundled beside the packaged app, the system's ffmpeg (on the PATH), the 2018
 * build shipped in @ffmpeg-installer. Chosen once per process.
 */
export function ffmpegPath(): string {
  if (process.env.LOUPE_FFMPEG) return process.env.LOUPE_FFMPEG;
  if (chosen) return chosen;
  const candidates: string[] = [];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(path.join(resources, 'ffmpeg', process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg'));
  candidates.push('ffmpeg');
  try {
    candidates.push((createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path);
  } catch {
    // Not installed for this platform.
  }
  const usable = candidates.flatMap((c) => {
    const r = spawnSync(c, ['-hide_banner', '-demuxers'], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) return [];
    const names = new Set(r.stdout.split('\n').map((l) => /^\s*D\S*\s+(\S+)/.exec(l)?.[1]).flatMap((n) => (n ? n.split(',') : [])));
    return [{ path: c, cctv: CCTV_DEMUXERS.every((d) => names.has(d)) }];
  });
  chosen = (usable.find((u) => u.cctv) ?? usable[0])?.path ?? 'ffmpeg';
  return chosen;
}

/**
 * ffmpeg's reason for a failure: its error and fatal messages (the log is read with levels),
 * without the "[demuxer @ 0x...]" prefix or the input's path, the last three at most.
 */
export function ffmpegReason(errors: readonly string[], input: string): string | null {
  const cleaned = errors
    .map((l) => l.replace(/^(\[[^\]]*@ 0x[0-9a-f]+\] )?\[(error|fatal)\] /, '').replace(`${input}: `, '').trim())
    .map((l) => (/^Stream map .* matches no streams/.test(l) ? 'it has no video stream' : l))
    .filter((l, i, all) => l !== '' && all.indexOf(l) === i);
  return cleaned.length > 0 ? cleaned.slice(-3).join('; ') : null;
}

/**
 * How long ffmpeg may go without a sign of progress (a frame, a log line; its progress line
 * comes twice a second) while Loupe waits for it: a path that became a named pipe, or a
 * stalled disk, would otherwise hold the import for ever.
 */
export const VIDEO_STALL_MS = 60_000;

export async function* sampleVideo(
  file: string | Buffer,
  opts: { framesPerSecond: number; sceneChange: number; signal?: AbortSignal; facts?: (f: VideoFacts) => void; stallMs?: number },
): AsyncGenerator<VideoFrame> {
  const stallMs = opts.stallMs ?? VIDEO_STALL_MS;
  const step = (1 / opts.framesPerSecond).toFixed(4);
  const scene = opts.sceneChange > 0 ? `+gt(scene,${opts.sceneChange.toFixed(3)})` : '';
  const select = `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${step})${scene}'`;
  // A path that is not UTF-8 (bytes) cannot be an argument: the file is opened here and handed to ffmpeg as its fd 3.
  const fd = typeof file === 'string' ? null : openSync(file, 'r');
  const input = fd === null ? `file:${file as string}` : 'file:/dev/fd/3';
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'level+info', '-i', input, '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', `${select},showinfo`, '-vsync', 'vfr', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'];
  const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe', fd ?? 'ignore'] }) as ChildProcessByStdio<null, Readable, Readable>;
  if (fd !== null) closeSync(fd);

  const headers: { timeMs: number; width: number; height: number }[] = [];
  const errors: string[] = [];
  const facts: VideoFacts = { durationMs: null, creationTime: null, codec: null };
  let factsSent = false;
  let stderrBuf = '';
  /**
   * The pipe's bytes are copied straight into the frame they belong to: no more than one whole
   * frame waits to be taken (ffmpeg is held back meanwhile) besides the one being filled, and
   * nothing is joined or copied again (an 8000 x 8000 frame is 192 MB).
   */
  let frameBytes = 0;
  /** Bytes that came before the first frame's header said how many make a frame. */
  let early: Buffer[] = [];
  let filling: Buffer | null = null;
  let filled = 0;
  const whole: Buffer[] = [];
  let exited: { code: number | null; error?: Error } | null = null;
  let wake: (() => void) | null = null;
  /** When ffmpeg last gave a sign of progress, or Loupe last took a frame (time spent by the taker is not ffmpeg's). */
  let lastSign = Date.now();
  const notify = () => {
    lastSign = Date.now();
    const w = wake;
    wake = null;
    w?.();
  };

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    lastSign = Date.now();
    stderrBuf += text;
    let nl: number;
    while ((nl = stderrBuf.indexOf('\n')) >= 0) {
      const line = stderrBuf.slice(0, nl).trimEnd();
      stderrBuf = stderrBuf.slice(nl + 1);
      const info = /showinfo.*\bpts_time:\s*(-?[\d.]+).*\bs:(\d+)x(\d+)/.exec(line);
      if (info) {
        const header = { timeMs: Math.max(0, Math.round(Number(info[1]) * 1000)), width: Number(info[2]), height: Number(info[3]) };
        headers.push(header);
        // The first frame's size cuts the pipe into frames; one beyond the limits is refused below, before its bytes are kept.
        if (frameBytes === 0 && withinImageLimits(header.width, header.height)) {
          frameBytes = header.width * header.height * 3;
          const before = early;
          early = [];
          before.forEach(absorb);
        }
        notify();
        continue;
      }
      const dur = /Duration:\s*(\d+):(\d+):([\d.]+)/.exec(line);
      if (dur) facts.durationMs = Math.round(((Number(dur[1]) * 60 + Number(dur[2])) * 60 + Number(dur[3])) * 1000);
      const created = /creation_time\s*:\s*(\S+)/.exec(line);
      if (created && !facts.creationTime) facts.creationTime = created[1] ?? null;
      const codec = /Stream #\d+:\d+.*Video:\s*([A-Za-z0-9_]+)/.exec(line);
      if (codec && !facts.codec) facts.codec = codec[1] ?? null;
      if (/\[(error|fatal)\] /.test(line)) {
        errors.push(line);
        if (errors.length > 20) errors.shift();
      }
    }
  });
  function absorb(chunk: Buffer): void {
    if (frameBytes === 0) {
      early.push(chunk);
      return;
    }
    for (let at = 0; at < chunk.length; ) {
      filling ??= Buffer.allocUnsafeSlow(frameBytes);
      const n = Math.min(frameBytes - filled, chunk.length - at);
      chunk.copy(filling, filled, at, at + n);
      filled += n;
      at += n;
      if (filled === frameBytes) {
        whole.push(filling);
        filling = null;
        filled = 0;
      }
    }
    // Hold ffmpeg back while a whole frame waits to be taken.
    if (whole.length > 0) child.stdout.pause();
  }
  child.stdout.on('data', (chunk: Buffer) => {
    absorb(chunk);
    notify();
  });
  child.on('error', (error) => {
    exited = { code: null, error };
    notify();
  });
  child.on('close', (code) => {
    exited ??= { code };
    notify();
  });
  const onAbort = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort);

  let frames = 0;
  let frameSize: { width: number; height: number } | null = null;
  try {
    for (;;) {
      const header = headers[0];
      if (header) {
        if (!withinImageLimits(header.width, header.height)) {
          throw new LoupeError('unsupported_file', `Video frames of ${header.width} x ${header.height} pixels are larger than Loupe analyses (at most ${MAX_IMAGE_PIXELS} pixels, no side over ${MAX_IMAGE_SIDE}).`);
        }
        // After a change of frame size (joined exports) ffmpeg still writes frames of the first
        // size to the pipe while showinfo reports the new one: cut by it, the bytes would make
        // scrambled frames. Refused rather than guessed.
        frameSize ??= { width: header.width, height: header.height };
        if (header.width !== frameSize.width || header.height !== frameSize.height) {
          throw new LoupeError(
            'unsupported_file',
            `The video changes frame size from ${frameSize.width} x ${frameSize.height} to ${header.width} x ${header.height} at ${(header.timeMs / 1000).toFixed(1)} s, and Loupe samples one frame size per video: split it where the size changes and import the parts.`,
          );
        }
        const data = whole.shift();
        if (data) {
          headers.shift();
          if (!factsSent) {
            factsSent = true;
            opts.facts?.(facts);
          }
          frames++;
          if (child.stdout.isPaused()) child.stdout.resume();
          yield { timeMs: header.timeMs, width: header.width, height: header.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
          lastSign = Date.now();
          continue;
        }
        if (child.stdout.isPaused()) child.stdout.resume();
      }
      if (exited) break;
      const quiet = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), Math.max(0, lastSign + stallMs - Date.now()));
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      if (quiet && Date.now() - lastSign >= stallMs) {
        throw new LoupeError('unavailable', `ffmpeg read nothing from the file for ${Math.round(stallMs / 1000)} s: it may be a named pipe or a device rather than a file, or its disk has stalled. Check the file, then import it again.`);
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (!exited) child.kill('SIGKILL');
  }
  if (opts.signal?.aborted) throw new LoupeError('cancelled', 'Video sampling was cancelled.');
  const end = exited as { code: number | null; error?: Error } | null;
  if (end?.error) throw new LoupeError('unavailable', `ffmpeg could not be started (${end.error.message}); install ffmpeg or set LOUPE_FFMPEG.`);
  if (!factsSent) opts.facts?.(facts);
  if (end?.code !== 0 || frames === 0) {
    const why = ffmpegReason(errors, input) ?? (end?.code === 0 ? 'it has no frames that could be decoded' : `ffmpeg stopped with code ${end?.code ?? 'none'} and gave no reason`);
    if (frames === 0) throw new LoupeError('unsupported_file', `Not a video Loupe can read: ${why}.`);
    throw new LoupeError('unsupported_file', `The video is damaged after ${frames} readable frames (${why}); the readable part was not kept, to avoid a partial record.`);
  }
}
