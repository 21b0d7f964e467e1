import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExhibitSummary } from '../../shared';
import { FACES_DIR, FACES_MISSING, facesAvailable, packInstalled, tempCase } from '../testing';
import { sourceFromBytes } from './source-path';

/**
 * The hostile-input corpus: files as they come off seized media and out of careless or
 * malicious hands, built here from a few real photos, ffmpeg and hand-made headers. Each is
 * imported through the workstation API; each must end as one recorded outcome (imported,
 * failed with a clear reason, or a duplicate) and nothing already in the case may be lost.
 */
const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`hostile-input corpus: ${facesAvailable ? 'no model pack installed in models/packs' : FACES_MISSING}: skipped`);
const hasFfmpeg = !spawnSync('ffmpeg', ['-version']).error;
const isRoot = process.getuid?.() === 0;

/** 'kept': imported, or a duplicate of a copy that was (which of two copies comes first is the order of listing). */
type Outcome = 'done' | 'failed' | 'duplicate' | 'kept' | 'any';
interface Kind {
  name: string;
  /** The path as bytes (a name need not be UTF-8). */
  at: Buffer;
  expect: Outcome;
  /** What a failure's reason must say. */
  reason?: RegExp;
}

const photo = (p: string) => path.join(FACES_DIR, 'identities', p);

/** A small sample made by ffmpeg (written to a file, as MP4 needs to seek back to its header). */
function ffmpeg(args: string[]): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-hostile-ffmpeg-'));
  try {
    const out = path.join(dir, 'out');
    const r = spawnSync('ffmpeg', ['-loglevel', 'error', ...args, out]);
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr.toString()}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function png(width: number, height: number): Buffer {
  // A valid PNG signature and IHDR claiming the size, then a tiny IDAT and IEND: a pixel bomb's header.
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

/** A copy of a JPEG whose frame header (SOFn) claims another size; the markers are walked to find it. */
function withJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const b = Buffer.from(jpeg);
  for (let at = 2; at + 9 < b.length; ) {
    if (b[at] !== 0xff) throw new Error(`no JPEG marker at ${at}`);
    const marker = b[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      b.writeUInt16BE(height, at + 5);
      b.writeUInt16BE(width, at + 7);
      return b;
    }
    at += 2 + b.readUInt16BE(at + 2);
  }
  throw new Error('no frame header in the JPEG');
}

describe.skipIf(!ready)('hostile-input corpus', () => {
  let t: Awaited<ReturnType<typeof tempCase>>;
  let src: string;
  let kept: ExhibitSummary[];
  const kinds: Kind[] = [];
  let server: Server | null = null;

  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-hostile-'));
    const at = (name: string | Buffer) => Buffer.concat([Buffer.from(`${src}/`), typeof name === 'string' ? Buffer.from(name) : name]);
    const add = (name: string, file: string | Buffer, content: Buffer | string | null, outcome: Outcome, reason?: RegExp) => {
      const p = at(file);
      if (content !== null) writeFileSync(p, content);
      kinds.push({ name, at: p, expect: outcome, ...(reason ? { reason } : {}) });
    };

    const obama = readFileSync(photo('Barack_Obama/obama.jpg'));
    const biden = readFileSync(photo('Joe_Biden/biden.jpg'));
    const pngFace = await sharp(biden).png().toBuffer();
    const gifFace = await sharp(biden).gif().toBuffer();
    const webpFace = await sharp(biden).webp().toBuffer();
    const tiffFace = await sharp(biden).tiff().toBuffer();
    const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
    const scribbled = (b: Buffer) => {
      const c = Buffer.from(b);
      for (let i = Math.floor(c.length * 0.3); i < c.length * 0.7; i += 7) c[i] = 0x55;
      return c;
    };

    // Truncated and corrupt images.
    add('truncated JPEG', 'truncated.jpg', half(obama), 'failed', /damaged or truncated|could not be decoded/);
    add('JPEG cut inside its header', 'header-only.jpg', obama.subarray(0, 200), 'failed');
    add('JPEG with its middle overwritten', 'scribbled.jpg', scribbled(obama), 'any');
    add('JPEG start-of-image marker only', 'soi.jpg', Buffer.from([0xff, 0xd8, 0xff]), 'failed');
    add('truncated PNG', 'truncated.png', half(pngFace), 'failed');
    add('PNG with a broken header checksum', 'bad-crc.png', Buffer.concat([pngFace.subarray(0, 29), Buffer.from([pngFace[29]! ^ 0xff]), pngFace.subarray(30)]), 'failed');
    add('truncated GIF', 'truncated.gif', half(gifFace), 'any');
    add('truncated WebP', 'truncated.webp', half(webpFace), 'failed');
    add('WebP RIFF header only', 'riff-only.webp', webpFace.subarray(0, 16), 'failed');
    add('truncated TIFF', 'truncated.tif', half(tiffFace), 'any');
    add('TIFF whose directory points past its end', 'bad-ifd.tif', Buffer.concat([Buffer.from('II*\0', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(64)]), 'failed');
    add('truncated BMP', 'truncated.bmp', Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(12), Buffer.from([40, 0, 0, 0]), Buffer.alloc(20)]), 'failed', /BMP file cannot be read/);
    add('HEIF brand over garbage', 'garbage.heic', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(500, 0x33)]), 'failed');
    add('truncated PPM', 'truncated.ppm', 'P6\n64 64\n255\nabc', 'failed', /truncated/);

    // Pixel bombs: headers that claim enormous images.
    add('PNG claiming 100000 x 100000', 'bomb.png', png(100000, 100000), 'failed', /100000 x 100000 pixels/);
    add('PNG strip 30000 x 1', 'strip.png', png(30000, 1), 'failed', /no side over/);
    const bigJpeg = withJpegSize(obama, 65000, 65000);
    add('JPEG claiming 65000 x 65000', 'bomb.jpg', bigJpeg, 'failed', /65000 x 65000 pixels/);
    const gifBomb = Buffer.from(gifFace);
    gifBomb.writeUInt16LE(65535, 6);
    gifBomb.writeUInt16LE(65535, 8);
    add('GIF screen of 65535 x 65535', 'bomb.gif', gifBomb, 'any');
    const bmpBomb = Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(8), Buffer.from([54, 0, 0, 0, 40, 0, 0, 0]), Buffer.alloc(40)]);
    bmpBomb.writeInt32LE(200000, 18);
    bmpBomb.writeInt32LE(200000, 22);
    add('BMP claiming 200000 x 200000', 'bomb.bmp', bmpBomb, 'failed', /200000 x 200000 pixels/);
    const bmpNeg = Buffer.from(bmpBomb);
    bmpNeg.writeInt32LE(-5, 18);
    add('BMP with a negative width', 'negative.bmp', bmpNeg, 'failed', /not positive/);
    add('PPM claiming 99999 x 99999', 'bomb.ppm', 'P6\n99999 99999\n255\n', 'failed', /99999 x 99999 pixels/);
    const tiffBomb = Buffer.alloc(8 + 2 + 3 * 12 + 4);
    tiffBomb.write('II*\0', 0, 'latin1');
    tiffBomb.writeUInt32LE(8, 4);
    tiffBomb.writeUInt16LE(3, 8);
    [
      [256, 4, 1, 3_000_000],
      [257, 4, 1, 3_000_000],
      [258, 3, 1, 8],
    ].forEach(([tag, type, count, value], i) => {
      const o = 10 + i * 12;
      tiffBomb.writeUInt16LE(tag!, o);
      tiffBomb.writeUInt16LE(type!, o + 2);
      tiffBomb.writeUInt32LE(count!, o + 4);
      tiffBomb.writeUInt32LE(value!, o + 8);
    });
    add('TIFF claiming 3000000 x 3000000', 'bomb.tif', tiffBomb, 'failed');

    // Empty, mislabelled, not images at all.
    add('zero-byte .jpg', 'empty.jpg', '', 'failed', /empty \(0 bytes\)/);
    add('zero-byte .mp4', 'empty.mp4', Buffer.alloc(0), 'failed', /empty \(0 bytes\)/);
    add('PNG named .jpg', 'really-a-png.jpg', pngFace, 'kept');
    add('JPEG named .mp4', 'really-a-jpeg.mp4', await sharp(obama).rotate(90).jpeg().toBuffer(), 'done');
    add('text named .jpg', 'notes.jpg', 'this is a text file with an image name\n', 'failed', /Not an image or video Loupe can read .*the name says \.jpg, the content decides/);
    add('HTML named .png', 'page.png', '<!doctype html><html><script>alert(1)</script></html>', 'failed', /Not an image or video/);
    add('plain text', 'readme.txt', 'hello\n', 'failed', /Not an image or video/);
    add('SVG image', 'drawing.svg', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', 'failed', /Not an image or video/);
    add('zip archive', 'photos.zip', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]), 'failed', /Not an image or video/);
    add('zip named .jpg', 'archive.jpg', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100, 1)]), 'failed', /Not an image or video/);
    add('PDF', 'statement.pdf', '%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'failed', /Not an image or video/);
    add('PDF named .jpg', 'scan.jpg', '%PDF-1.4\n%%EOF\n', 'failed', /Not an image or video/);
    add('JPEG with a zip appended (polyglot)', 'polyglot.jpg', Buffer.concat([await sharp(obama).resize(200).jpeg().toBuffer(), Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)]), 'done');
    add('GIF/JavaScript polyglot', 'polyglot.gif', 'GIF89a/*\x00\x00*/=alert(1);//', 'failed');
    add('random bytes', 'random.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), 'failed', /Not an image or video/);
    add('64 KiB of zeros', 'zeros.dat', Buffer.alloc(65536), 'failed', /Not an image or video/);
    add('executable', 'program.exe', readFileSync(process.execPath).subarray(0, 8192), 'failed', /Not an image or video/);

    // Videos: no frames, damaged, headers only.
    if (hasFfmpeg) {
      add('MP4 with sound and no picture', 'audio-only.mp4', ffmpeg(['-f', 'lavfi', '-i', 'sine', '-t', '1', '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4']), 'failed', /no video stream/);
      const clip = ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'mpeg2video', '-f', 'mpegts']);
      add('MPEG-TS with its middle overwritten', 'damaged.ts', scribbled(clip), 'any');
      add('MPEG-TS cut in half', 'half.ts', half(clip), 'done');
      const mp4 = ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'mpeg4', '-f', 'mp4']);
      add('MP4 cut before its index', 'cut.mp4', half(mp4), 'failed', /moov atom not found|Invalid data/);
    }
    add('MP4 type box over junk', 'junk.mp4', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isomiso2', 'latin1'), Buffer.alloc(3000, 0x5a)]), 'failed', /Not a video Loupe can read/);
    add('Matroska header only', 'header.mkv', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88, ...Buffer.from('matroska')]), 'failed', /Not a video Loupe can read/);
    add('AVI RIFF header only', 'header.avi', Buffer.concat([Buffer.from('RIFF\0\0\0\0AVI LIST', 'latin1'), Buffer.alloc(20)]), 'failed', /Not a video Loupe can read/);
    add('H.264 start code over junk', 'junk.h264', Buffer.concat([Buffer.from([0, 0, 0, 1, 0x67]), Buffer.alloc(2000, 0xaa)]), 'failed', /Not a video Loupe can read/);
    add('Dahua DAV header only', 'header.dav', Buffer.concat([Buffer.from('DHAV', 'latin1'), Buffer.from([0xfd]), Buffer.alloc(40)]), 'failed', /Not a video Loupe can read/);

    // Names: not UTF-8, very long, with control characters, with a right-to-left override.
    add('Latin-1 name of a photo', Buffer.from('caf\xe9 \xe0 l\x27heure.jpg', 'latin1'), biden, 'duplicate');
    add('Latin-1 name of a text file', Buffer.from('r\xe9sum\xe9.jpg', 'latin1'), 'not a photo', 'failed', /Not an image or video/);
    add('name of 250 bytes', `${'long-'.repeat(49)}x.jpg`, await sharp(biden).flop().jpeg().toBuffer(), 'done');
    add('name with a newline and escape codes', 'a\nexhibit 1 done\u001b[2J.jpg', 'text', 'failed', /Not an image or video/);
    add('name with a right-to-left override', 'holiday\u202egpj.exe', await sharp(obama).flop().jpeg().toBuffer(), 'done');
    add('hidden file', '.hidden.jpg', await sharp(obama).resize(300).jpeg().toBuffer(), 'done');
    add('copy of a photo already in the case', 'copy-of-obama.jpg', obama, 'duplicate');
    mkdirSync(at('folder.jpg'));
    add('photo inside a folder named like an image', 'folder.jpg/inside.jpg', await sharp(biden).resize(300).jpeg().toBuffer(), 'done');
    add('link to a photo in the corpus', 'link-to-png.jpg', null, 'kept');
    symlinkSync(at('really-a-png.jpg'), at('link-to-png.jpg'));

    // Special files: they must be recorded, never skipped in silence or waited on.
    add('named pipe (FIFO)', 'pipe.jpg', null, 'failed', /named pipe/);
    expect(spawnSync('mkfifo', [at('pipe.jpg').toString()]).status).toBe(0);
    add('socket', 'socket.jpg', null, 'failed', /socket/);
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(at('socket.jpg').toString(), resolve));
    add('dangling link', 'dangling.jpg', null, 'failed', /does not exist/);
    symlinkSync(at('nowhere.jpg'), at('dangling.jpg'));
    add('link to itself', 'self.jpg', null, 'failed', /loops/);
    symlinkSync(at('self.jpg'), at('self.jpg'));
    add('two links pointing at each other', 'loop-a.jpg', null, 'failed', /loops/);
    symlinkSync(at('loop-b.jpg'), at('loop-a.jpg'));
    kinds.push({ name: 'the other link of the loop', at: at('loop-b.jpg'), expect: 'failed', reason: /loops/ });
    symlinkSync(at('loop-a.jpg'), at('loop-b.jpg'));
    add('link to /dev/zero', 'zero.jpg', null, 'failed', /character device/);
    symlinkSync('/dev/zero', at('zero.jpg'));
    if (isRoot) console.warn('hostile-input corpus: running as root, which reads a chmod 000 file anyway: the unreadable-file kind is left out');
    else {
      add('unreadable file (chmod 000)', 'locked.jpg', obama, 'failed', /EACCES/);
      chmodSync(at('locked.jpg'), 0o000);
    }

    t = await tempCase();
    // What the case already holds before the corpus comes in.
    const first = mkdtempSync(path.join(os.tmpdir(), 'loupe-hostile-first-'));
    copyFileSync(photo('Barack_Obama/obama.jpg'), path.join(first, 'obama.jpg'));
    copyFileSync(photo('Joe_Biden/biden.jpg'), path.join(first, 'biden.jpg'));
    await t.must('evidence.import', { paths: [first] });
    await t.ws.importSettled();
    kept = (await t.must('evidence.list', { offset: 0, limit: 500 })).exhibits;
    expect(kept.map((e) => e.status)).toEqual(['done', 'done']);

    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
  }, 600_000);

  afterAll(async () => {
    server?.close();
    await t?.dispose();
    if (src) rmSync(src, { recursive: true, force: true });
  });

  it('has at least 50 kinds of bad or odd file', () => {
    expect(kinds.length).toBeGreaterThanOrEqual(50);
  });

  it('gives every input exactly one recorded outcome: imported, failed with a clear reason, or a duplicate', async () => {
    const all = (await t.must('evidence.list', { offset: 0, limit: 500 })).exhibits;
    const problems: string[] = [];
    for (const k of kinds) {
      const source = sourceFromBytes(k.at);
      const rows = all.filter((e) => e.sourcePath === source);
      if (rows.length !== 1) {
        problems.push(`${k.name}: ${rows.length} exhibits`);
        continue;
      }
      const e = rows[0]!;
      const fits = k.expect === 'any' || e.status === k.expect || (k.expect === 'kept' && e.status !== 'failed');
      if (!fits) problems.push(`${k.name}: ${e.status}, expected ${k.expect} (${e.failure})`);
      if (e.status === 'failed') {
        const why = e.failure ?? '';
        if (why.length < 20 || why.length > 800 || /\n\s+at |undefined|\[object /.test(why)) problems.push(`${k.name}: unclear reason "${why}"`);
        if (k.reason && !k.reason.test(why)) problems.push(`${k.name}: reason "${why}" does not match ${k.reason}`);
      }
    }
    expect(problems).toEqual([]);
    const batch = (await t.must('evidence.batches', {}))[0]!;
    expect(batch.status).toBe('done');
    expect(batch.filesDone).toBe(batch.filesTotal);
  });

  it('shows a name that is not UTF-8 as Latin-1 and can read the file again by its exact bytes', async () => {
    const latin = kinds.find((k) => k.name === 'Latin-1 name of a text file')!;
    const e = (await t.must('evidence.list', { offset: 0, limit: 500 })).exhibits.find((x) => x.sourcePath === sourceFromBytes(latin.at))!;
    expect(e.fileName).toBe('résumé.jpg');
    expect(e.sourcePath).toMatch(/^bytes:\/.*\/r%E9sum%E9\.jpg$/);
    const [check] = await t.must('evidence.verify', { exhibitId: e.id });
    expect(check).toMatchObject({ ok: true });
  });

  it('loses nothing already stored: the first exhibits, their faces and originals, and an intact audit chain', async () => {
    for (const before of kept) {
      const now = await t.must('evidence.get', { exhibitId: before.id });
      expect(now.exhibit).toEqual(before);
      expect(now.faces.length).toBe(before.faceCount);
    }
    expect((await t.must('evidence.verify', {})).filter((c) => kept.some((k) => k.id === c.exhibitId)).every((c) => c.ok)).toBe(true);
    expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
  });
});
