import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FACES_PER_IMAGE, type ExhibitSummary } from '../../shared';
import { FACES_DIR, FACES_MISSING, facesAvailable, packInstalled, tempCase } from '../testing';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`exhibit notices: ${facesAvailable ? 'no model pack installed in models/packs' : FACES_MISSING}: skipped`);

describe.skipIf(!ready)('what an import did not analyse is recorded with the exhibit', () => {
  let t: Awaited<ReturnType<typeof tempCase>>;
  let src: string;
  let byName: Map<string, ExhibitSummary>;

  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-notices-'));
    const face = (p: string) => sharp(path.join(FACES_DIR, 'identities', p));
    // A crowd of more faces than are kept: one portrait tiled 23 x 23 times (529 faces).
    const tile = await face('Barack_Obama/obama.jpg').resize(90, 110, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    const side = 23;
    const crowd = Buffer.alloc(side * 90 * side * 110 * 3);
    for (let ty = 0; ty < side; ty++) for (let y = 0; y < 110; y++) for (let tx = 0; tx < side; tx++) tile.copy(crowd, ((ty * 110 + y) * side * 90 + tx * 90) * 3, y * 90 * 3, (y + 1) * 90 * 3);
    writeFileSync(path.join(src, 'crowd.png'), await sharp(crowd, { raw: { width: side * 90, height: side * 110, channels: 3 } }).png().toBuffer());
    // A scanned bundle: three pages in one TIFF.
    const pages = await Promise.all(['Barack_Obama/obama.jpg', 'Joe_Biden/biden.jpg', 'Katy_Perry/img26.jpg'].map((p) => face(p).resize(300, 300).removeAlpha().raw().toBuffer()));
    writeFileSync(path.join(src, 'bundle.tif'), await sharp(Buffer.concat(pages), { raw: { width: 300, height: 900, channels: 3, pageHeight: 300 } }).tiff().toBuffer());
    writeFileSync(path.join(src, 'single.jpg'), await face('Joe_Biden/biden.jpg').jpeg().toBuffer());

    t = await tempCase();
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    byName = new Map((await t.must('evidence.list', { offset: 0, limit: 500 })).exhibits.map((e) => [e.fileName, e]));
  }, 600_000);

  afterAll(async () => {
    await t?.dispose();
    if (src) rmSync(src, { recursive: true, force: true });
  });

  it('says a photo had more faces than the cap, and keeps the cap', () => {
    const crowd = byName.get('crowd.png')!;
    expect(crowd.status).toBe('done');
    expect(crowd.faceCount).toBe(MAX_FACES_PER_IMAGE);
    expect(crowd.notice).toMatch(/more than 500 faces: only the 500 the detector scored highest were kept/);
  });

  it('says only the first page of a multi-page TIFF was analysed, and how many were not', () => {
    const bundle = byName.get('bundle.tif')!;
    expect(bundle.status).toBe('done');
    expect(bundle.notice).toBe('This TIFF file has 3 pages: only the first was analysed, the other 2 were not. Save each as a file of its own and import those to analyse them.');
  });

  it('has no notice for a file analysed whole, and puts a notice in the audit record', async () => {
    expect(byName.get('single.jpg')!.notice).toBeNull();
    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 100 })).records;
    const imported = records.filter((r) => r.action === 'exhibit.imported' && String(JSON.stringify(r.details)).includes('bundle.tif'));
    expect(imported).toHaveLength(1);
    expect(JSON.stringify(imported[0]!.details)).toContain('only the first was analysed');
  });
});
