import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
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
});
