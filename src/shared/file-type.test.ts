import { describe, expect, it } from 'vitest';
import { isImageType, isVideoType, sniffFileType } from './file-type';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe('sniffFileType', () => {
  it('knows each container by its signature, not its name', () => {
    expect(sniffFileType(bytes([0xff, 0xd8, 0xff, 0xe0], '0000'))).toBe('jpeg');
    expect(sniffFileType(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], '0000'))).toBe('png');
    expect(sniffFileType(bytes('GIF89a', '000000'))).toBe('gif');
    expect(sniffFileType(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp');
    expect(sniffFileType(bytes('RIFF', [1, 2, 3, 4], 'AVI LIST'))).toBe('avi');
    expect(sniffFileType(bytes('II', [0x2a, 0], '00000000'))).toBe('tiff');
    expect(sniffFileType(bytes('MM', [0, 0x2a], '00000000'))).toBe('tiff');
    expect(sniffFileType(bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0], '0000'))).toBe('bmp');
    expect(sniffFileType(bytes(u32be(24), 'ftyp', 'heic', [0, 0, 0, 0], 'mif1heic'))).toBe('heif');
    expect(sniffFileType(bytes(u32be(20), 'ftyp', 'avif', [0, 0, 0, 0], 'mif1'))).toBe('heif');
    expect(sniffFileType(bytes(u32be(24), 'ftyp', 'isom', [0, 0, 2, 0], 'isomiso2'))).toBe('mp4');
    expect(sniffFileType(bytes(u32be(20), 'ftyp', 'qt  ', [0, 0, 2, 0], 'qt  '))).toBe('mov');
    expect(sniffFileType(bytes([0, 0, 0, 8], 'moov', '00000000'))).toBe('mov');
    expect(sniffFileType(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm'))).toBe('webm');
    expect(sniffFileType(bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], 'matroska'))).toBe('mkv');
  });

  it('knows CCTV streams and Netpbm maps by their bytes', () => {
    const ts = new Uint8Array(188 * 5).map((_, i) => (i % 188 === 0 ? 0x47 : 0xff));
    expect(sniffFileType(ts)).toBe('mpegts');
    expect(sniffFileType(new Uint8Array(192 * 5).map((_, i) => (i % 192 === 4 ? 0x47 : 0)))).toBe('m2ts');
    expect(sniffFileType(bytes([0, 0, 1, 0xba, 0x44, 0, 4, 0]))).toBe('mpegps');
    expect(sniffFileType(bytes([0, 0, 0, 1, 0x67, 0x64, 0, 0x1f]))).toBe('h264');
    expect(sniffFileType(bytes([0, 0, 0, 1, 0x40, 0x01, 0x0c, 0x01]))).toBe('hevc');
    expect(sniffFileType(bytes('DHAV', [0xfd, 0, 0, 0]))).toBe('dav');
    expect(sniffFileType(bytes('DAHUA', [0, 0, 0]))).toBe('dav');
    expect(sniffFileType(bytes('P6\n640 480\n255\n'))).toBe('pnm');
    expect(sniffFileType(bytes('P2 2 1 255'))).toBe('pnm');
  });

  it('does not take look-alikes for CCTV streams or Netpbm maps', () => {
    expect(sniffFileType(bytes('P5ssword: hunter2'))).toBeNull();
    expect(sniffFileType(bytes('DHAVE a nice day'))).toBeNull();
    expect(sniffFileType(bytes('G'.repeat(188)))).toBeNull();
    expect(sniffFileType(bytes([0, 0, 0, 1, 0x61, 0, 0, 0]))).toBeNull();
    expect(sniffFileType(new Uint8Array(4100))).toBeNull();
  });

  it('returns null for text, empty and unknown bytes', () => {
    expect(sniffFileType(new Uint8Array(0))).toBeNull();
    expect(sniffFileType(bytes('BM is a text file, not a bitmap at all'))).toBeNull();
    expect(sniffFileType(bytes('<?xml version="1.0"?><svg/>'))).toBeNull();
    expect(sniffFileType(bytes([0xff, 0xd8]))).toBeNull();
    expect(sniffFileType(bytes('%PDF-1.7 ...'))).toBeNull();
  });

  it('tells images from videos', () => {
    expect(isImageType('heif')).toBe(true);
    expect(isImageType('mp4')).toBe(false);
    expect(isVideoType('webm')).toBe(true);
    expect(isVideoType(null)).toBe(false);
  });
});
