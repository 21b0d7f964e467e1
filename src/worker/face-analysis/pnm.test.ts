import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
import { decodeImage } from './decode';

const hasFfmpeg = !spawnSync('ffmpeg', ['-version']).error;
if (!hasFfmpeg) console.warn('Netpbm tests: no ffmpeg on the PATH to make samples with: the cross-check against ffmpeg is skipped');

/** ffmpeg's test pattern written as `codec` into a single image on stdout. */
function pattern(format: string, codec: string, pixFmt: string): Uint8Array {
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=1', '-frames:v', '1', '-pix_fmt', pixFmt, '-c:v', codec, '-f', format, 'pipe:1']);
  if (r.status !== 0) throw new Error(`ffmpeg could not write ${codec}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('Netpbm (PGM/PPM)', () => {
  it.skipIf(!hasFfmpeg)('reads a binary PPM and PGM written by ffmpeg pixel for pixel as the same picture in PNG', async () => {
    const png = await decodeImage(pattern('image2pipe', 'png', 'rgb24'), 1e6);
    const ppm = await decodeImage(pattern('image2pipe', 'ppm', 'rgb24'), 1e6);
    expect(ppm.format).toBe('pnm');
    expect([ppm.image.width, ppm.image.height]).toEqual([64, 48]);
    expect(Buffer.from(ppm.image.data).equals(Buffer.from(png.image.data))).toBe(true);
    const pgm = await decodeImage(pattern('image2pipe', 'pgm', 'gray'), 1e6);
    expect(pgm.format).toBe('pnm');
    expect([pgm.image.data[0], pgm.image.data[1], pgm.image.data[2]]).toEqual([pgm.image.data[0], pgm.image.data[0], pgm.image.data[0]]);
    const pgm16 = await decodeImage(pattern('image2pipe', 'pgm', 'gray16be'), 1e6);
    expect(Math.abs((pgm16.image.data[0] as number) - (pgm.image.data[0] as number))).toBeLessThanOrEqual(1);
  });

  it('reads ASCII maps with comments, and scales samples below 255 to 8 bits', async () => {
    const d = await decodeImage(enc('P3\n# from a recorder\n2 1\n15\n15 0 0  0 15 7\n'), 1e6);
    expect(Array.from(d.image.data)).toEqual([255, 0, 0, 0, 255, 119]);
    const g = await decodeImage(enc('P2 2 1 255 10 200'), 1e6);
    expect(Array.from(g.image.data)).toEqual([10, 10, 10, 200, 200, 200]);
  });

  it('refuses truncated, oversized and inconsistent maps, each with its reason', async () => {
    const why = (b: Uint8Array) => decodeImage(b, 1e6).then(() => 'read', (e: unknown) => (e instanceof LoupeError ? e.message : String(e)));
    expect(await why(enc('P6\n4 4\n255\nabc'))).toMatch(/truncated \(3 bytes of pixel data, 48 needed\)/);
    expect(await why(enc('P5\n100000 100000\n255\n'))).toMatch(/100000 x 100000 pixels/);
    expect(await why(enc('P5\n2 2\n70000\n'))).toMatch(/maximum sample value 70000/);
    expect(await why(enc('P2\n2 1\n10\n5 11\n'))).toMatch(/sample \(11\) is above its maximum value 10/);
    expect(await why(enc('P3\n2 x\n'))).toMatch(/height is not a number/);
  });
});
