import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_AUTHORITY, PASSPHRASE } from '../testing';
import { createCaseStore, type NewExhibit, type NewFace } from './index';

/** Resident memory at its highest since the high-water mark was last reset, in bytes (Linux). */
const highWater = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
const canMeasure = existsSync('/proc/self/clear_refs');
if (!canMeasure) console.warn('staged commit memory test: no /proc/self/clear_refs to reset the high-water mark on this system: skipped');

const FRAMES = 400;
const DISPLAY_BYTES = 250_000;

const face = (timeMs: number): NewFace => ({
  frameTimeMs: timeMs, trackKey: null, box: { x: 10, y: 10, w: 40, h: 40 }, landmarks5: [[20, 20], [40, 20], [30, 30], [22, 40], [38, 40]], detectorScore: 0.9,
  quality: { score: 60, insufficient: false } as NewFace['quality'], model: 'm', embedding: new Float32Array(512).fill(1 / Math.sqrt(512)), crop: randomBytes(5000), aligned: randomBytes(3000),
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!canMeasure)('committing a staged video inside the caller\'s transaction (as the import does)', () => {
  it('does not hold a copy of the staged frames and faces it drops in memory', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-staged-commit-'));
    dirs.push(dir);
    const store = await createCaseStore(path.join(dir, 'case'), { id: 'staged-commit-1', ...CASE_AUTHORITY, createdAt: '2026-01-01T00:00:00Z', createdBy: 'alice' }, { username: 'alice', passphrase: PASSPHRASE });
    try {
      store.writes.startBatch({ id: 'b1', startedAt: '2026-01-01T00:00:00Z', startedBy: 'alice', sources: ['/v.mp4'], options: {}, exhibitRef: null });
      const videoId = store.writes.stageVideo({ batchId: 'b1', sourcePath: '/v.mp4', sha256: 'ab'.repeat(32) });
      // 100 MB of frame copies, staged in chunks as an import stages them.
      for (let c = 0; c < FRAMES / 40; c++) {
        const times = Array.from({ length: 40 }, (_, i) => (c * 40 + i) * 500);
        store.writes.stageChunk(videoId, {
          throughMs: times.at(-1) as number, framesSampled: (c + 1) * 40, width: 1920, height: 1080, thumbnail: null,
          frames: times.map((timeMs) => ({ timeMs, width: 1920, height: 1080, display: randomBytes(DISPLAY_BYTES) })),
          faces: times.map(face),
        });
      }
      const staged = [...store.reads.stagedFaces(videoId)];
      const row: NewExhibit = {
        batchId: 'b1', sha256: 'ab'.repeat(32), bytes: 1, sourcePath: '/v.mp4', fileName: 'v.mp4', exhibitRef: null, kind: 'video', fileType: 'mp4', status: 'done', failure: null, notice: null,
        duplicateOf: null, width: 1920, height: 1080, durationMs: FRAMES * 500, captureTime: null, camera: null, sourceModifiedAt: null, importedBy: 'alice', importedAt: '2026-01-01T00:00:00Z',
        pack: 'p@1', thumbnail: null, display: null, role: 'evidence',
      };
      const track = { firstMs: 0, lastMs: (FRAMES - 1) * 500, bestFace: staged[0]!.id, members: staged.map((f) => f.id), template: { embedding: staged[0]!.embedding, faces: 1 } };

      writeFileSync('/proc/self/clear_refs', '5');
      const before = process.memoryUsage().rss;
      const { exhibitId, faces } = store.transaction(() => store.writes.commitStaged(videoId, row, [track]));
      const grew = highWater() - before;

      expect(faces).toHaveLength(FRAMES);
      expect(store.reads.frames(exhibitId)).toHaveLength(FRAMES);
      expect(store.reads.stagedVideo('b1', '/v.mp4', 'ab'.repeat(32))).toBeNull();
      // Nested in the caller's transaction as a savepoint, the commit kept a copy of every page
      // its drop of the staging touched (a sub-journal in memory: temp_store is MEMORY), as much
      // as was staged, which grows with the video's length.
      expect(grew).toBeLessThan((FRAMES * DISPLAY_BYTES) / 4);
    } finally {
      await store.close();
    }
  }, 120_000);
});
