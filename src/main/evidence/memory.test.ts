import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedderId } from '../../shared';
import { AuditLog } from '../audit';
import { createFacePool, type FacePool } from '../face-pool';
import { bestPack, loadPack, type LoadedPack } from '../models';
import { createCaseStore } from '../store';
import { CASE_AUTHORITY, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE } from '../testing';
import { makeFacesVideo } from '../testing/video';
import { ByteBudget, EvidenceImporter, EvidenceReader } from '.';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`import memory test: ${facesAvailable ? 'no model pack installed' : FACES_MISSING}: skipped`);

const W = 1600;
const H = 1200;

describe.skipIf(!ready)('memory held by a video import', () => {
  const dirs: string[] = [];
  let pack: LoadedPack;
  let pool: FacePool;
  let video: string;

  beforeAll(async () => {
    pack = await loadPack(MODELS_DIR, await bestPack(MODELS_DIR));
    pool = await createFacePool({ pack, size: 2 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-memory-'));
    dirs.push(dir);
    video = await makeFacesVideo(path.join(dir, 'camera.avi'), [path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg')], { seconds: 8, width: W, height: H, fps: 4, codec: 'mjpeg' });
  }, 60_000);
  afterAll(async () => {
    await pool.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  /** Imports the video with this budget, noting the most frames the face pool held at once. */
  async function importWith(limit: number) {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'loupe-memory-case-'));
    rmSync(folder, { recursive: true });
    dirs.push(folder);
    const store = await createCaseStore(folder, { id: path.basename(folder), ...CASE_AUTHORITY, createdAt: new Date().toISOString(), createdBy: 'sup' }, { username: 'sup', passphrase: PASSPHRASE });
    const audit = new AuditLog(store.audit, 'case', store.id, () => new Date());
    const memory = new ByteBudget(limit);
    const importer = new EvidenceImporter({
      store,
      runningPack: async () => ({ pool, pack: pack.manifest, model: embedderId(pack.manifest), trackThreshold: 0.45 }),
      audit: (e) => void audit.append(e),
      emit: () => undefined,
      onFaces: () => undefined,
      now: () => new Date(),
      memory,
    });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, pool.stats.busy + pool.stats.queued)), 1);
    try {
      await importer.start([video], {}, 'sup', (write) => audit.record(write, () => ({ user: 'sup', action: 'evidence.import', object: null, outcome: 'ok', details: {} })));
      await importer.settled();
    } finally {
      clearInterval(watch);
    }
    const { exhibits } = new EvidenceReader(store.reads).list(0, 10);
    store.close();
    return { most, peak: memory.peak, exhibit: exhibits[0] };
  }

  it('holds no more frames than the byte budget allows, whatever the number of workers', async () => {
    const frameCost = W * H * 3 * 2;
    const bound = await importWith(frameCost * 1.5);
    expect(bound.exhibit).toMatchObject({ status: 'done', kind: 'video' });
    expect(bound.exhibit?.faceCount).toBeGreaterThan(0);
    expect(bound.peak).toBeLessThanOrEqual(frameCost * 1.5);
    expect(bound.most).toBe(1);

    // The same import with a budget that never binds: frames pile up as the pool's queue allows (as they all did before).
    const unbound = await importWith(Number.MAX_SAFE_INTEGER);
    expect(unbound.most).toBeGreaterThan(2);
    expect(unbound.exhibit?.faceCount).toBe(bound.exhibit?.faceCount);
  }, 180_000);
});
