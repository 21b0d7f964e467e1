import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isVideoType, LoupeError, sniffFileType } from '../../shared';
import { ffmpegPath, sampleVideo, type VideoFrame } from './video';

const ffmpeg = ffmpegPath();
const hasFfmpeg = !spawnSync(ffmpeg, ['-version']).error;
if (!hasFfmpeg) console.warn(`video sampling tests: ffmpeg (${ffmpeg}) cannot be run: skipped`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-video-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A synthetic clip made by ffmpeg itself (its test pattern), so the test needs no footage. */
function clip(name: string, size: string, seconds: number): string {
  const out = path.join(dir, name);
  const r = spawnSync(ffmpeg, ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-t', String(seconds), '-c:v', 'mpeg2video', out]);
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${r.stderr.toString()}`);
  return out;
}

/** The test pattern encoded with `args` (codec and container) into `name`. */
function encode(name: string, args: string[]): string {
  const out = path.join(dir, name);
  const r = spawnSync(ffmpeg, ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', ...args, out]);
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${r.stderr.toString()}`);
  return out;
}

/**
 * A Dahua DAV file, which ffmpeg reads but cannot write: each frame a "DHAV" chunk (24-byte
 * header, extension records for size and codec, the payload, a "dhav" trailer giving the
 * chunk's length), here with MJPEG payloads (codec 3) at 10 frames a second.
 */
function dav(name: string): string {
  const r = spawnSync(ffmpeg, ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1']);
  if (r.status !== 0) throw new Error(`ffmpeg could not make JPEG frames: ${r.stderr.toString()}`);
  const stream = r.stdout;
  const jpegs: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const end = stream.indexOf(Buffer.from([0xff, 0xd9]), at) + 2;
    jpegs.push(stream.subarray(at, end));
    at = end;
  }
  const date = ((26 << 26) | (1 << 22) | (2 << 17) | (3 << 12) | (4 << 6) | 5) >>> 0;
  const chunks = jpegs.map((jpeg, i) => {
    const ext = Buffer.from([0x80, 0, 160 / 8, 120 / 8, 0x81, 0, 3, 10]);
    const length = 24 + ext.length + jpeg.length + 8;
    const head = Buffer.alloc(24);
    head.write('DHAV', 0, 'latin1');
    head.set([0xfd, 0, 0, 0], 4);
    head.writeUInt32LE(i + 1, 8);
    head.writeUInt32LE(length, 12);
    head.writeUInt32LE(date + Math.floor(i / 10), 16);
    head.writeUInt16LE((i % 10) * 100, 20);
    head[22] = ext.length;
    const tail = Buffer.alloc(8);
    tail.write('dhav', 0, 'latin1');
    tail.writeUInt32LE(length, 4);
    return Buffer.concat([head, ext, jpeg, tail]);
  });
  const out = path.join(dir, name);
  writeFileSync(out, Buffer.concat(chunks));
  return out;
}

async function sample(file: string): Promise<VideoFrame[] | LoupeError> {
  const frames: VideoFrame[] = [];
  try {
    for await (const f of sampleVideo(file, { framesPerSecond: 2, sceneChange: 0 })) frames.push(f);
    return frames;
  } catch (e) {
    return e as LoupeError;
  }
}

describe.skipIf(!hasFfmpeg)('video sampling', () => {
  it('gives frames every half second at 2 per second, each of its full size', async () => {
    const frames = await sample(clip('steady.mkv', '320x240', 3));
    expect(frames).toBeInstanceOf(Array);
    const f = frames as VideoFrame[];
    expect(f.map((x) => x.timeMs)).toEqual([0, 500, 1000, 1500, 2000, 2500]);
    for (const x of f) expect([x.width, x.height, x.data.length]).toEqual([320, 240, 320 * 240 * 3]);
  });

  it('refuses a video whose frame size changes part way, naming both sizes', async () => {
    // Two exports joined, as DVRs write them: the second at another size.
    const joined = path.join(dir, 'joined.mkv');
    const list = path.join(dir, 'list.txt');
    writeFileSync(list, `file '${clip('a.ts', '320x240', 2)}'\nfile '${clip('b.ts', '640x480', 2)}'\n`);
    expect(spawnSync(ffmpeg, ['-y', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined]).status).toBe(0);
    const err = await sample(joined);
    expect(err).toBeInstanceOf(LoupeError);
    expect((err as LoupeError).code).toBe('unsupported_file');
    expect((err as LoupeError).message).toMatch(/changes frame size from 320 x 240 to 640 x 480 at 2\.0 s/);
  });

  it('says a file ffmpeg cannot read is not a video it can read', async () => {
    const junk = path.join(dir, 'junk.mp4');
    writeFileSync(junk, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(2000, 0x5a)]));
    const err = await sample(junk);
    expect(err).toBeInstanceOf(LoupeError);
    expect((err as LoupeError).message).toMatch(/^Not a video Loupe can read: /);
  });

  it('says why ffmpeg failed, in its own words: no video stream, or damaged data', async () => {
    const audio = path.join(dir, 'audio.mp4');
    expect(spawnSync(ffmpeg, ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine', '-t', '1', audio]).status).toBe(0);
    expect(((await sample(audio)) as LoupeError).message).toBe('Not a video Loupe can read: it has no video stream.');
    const junk = path.join(dir, 'junk2.mp4');
    writeFileSync(junk, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(2000, 0x5a)]));
    expect(((await sample(junk)) as LoupeError).message).toMatch(/^Not a video Loupe can read: .*moov atom not found.*Invalid data found when processing input\.$/);
  });
});

describe.skipIf(!hasFfmpeg)('CCTV exports', () => {
  const formats: [string, () => string, string][] = [
    ['MPEG-TS', () => encode('cam.ts', ['-c:v', 'libx264', '-f', 'mpegts']), 'mpegts'],
    ['M2TS (Blu-ray/AVCHD transport stream)', () => encode('cam.m2ts', ['-c:v', 'libx264', '-f', 'mpegts', '-mpegts_m2ts_mode', '1']), 'm2ts'],
    ['MPEG-PS (.mpg)', () => encode('cam.mpg', ['-c:v', 'mpeg2video', '-f', 'vob']), 'mpegps'],
    ['raw H.264', () => encode('cam.h264', ['-c:v', 'libx264', '-f', 'h264']), 'h264'],
    ['raw H.265', () => encode('cam.h265', ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-f', 'hevc']), 'hevc'],
    ['Dahua DAV', () => dav('cam.dav'), 'dav'],
  ];
  it.each(formats)('%s is known by its bytes and sampled into frames', async (_name, make, type) => {
    const file = make();
    expect(sniffFileType(new Uint8Array(readFileSync(file).subarray(0, 4100)))).toBe(type);
    expect(isVideoType(type as never)).toBe(true);
    const frames = await sample(file);
    expect(frames).toBeInstanceOf(Array);
    const f = frames as VideoFrame[];
    expect(f.length).toBeGreaterThanOrEqual(3);
    for (const x of f) expect([x.width, x.height]).toEqual([160, 120]);
  });
});
