import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelName } from '../../shared';
import { CASE_FILES, openCaseStore } from '../store';
import { FACES_DIR, FACES_MISSING, facesAvailable, gaussian, MODELS_DIR, normalise, PASSPHRASE, tempCase } from '../testing';

const ready = facesAvailable && existsSync(path.join(MODELS_DIR, 'default', 'manifest.json'));
if (!ready) console.warn(`case index tests: ${facesAvailable ? 'no default model pack in models/packs' : FACES_MISSING}: skipped`);

/** Enough faces that the rebuild yields to the event loop many times (every 256 faces). */
const STORED_FACES = 6000;
const PURPOSE = 'Find where the suspect of robbery OP-TEST/001 appears in the seized footage';
const photo = (person: string, file: string) => path.join(FACES_DIR, 'identities', person, file);

describe.skipIf(!ready)('the case face index', () => {
  let t: Awaited<ReturnType<typeof tempCase>>;
  let src: string;

  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-case-index-src-'));
    mkdirSync(path.join(src, 'first'));
    mkdirSync(path.join(src, 'later'));
    copyFileSync(photo('Barack_Obama', 'obama.jpg'), path.join(src, 'first', 'obama.jpg'));
    copyFileSync(photo('Joe_Biden', 'biden.jpg'), path.join(src, 'later', 'biden.jpg'));
    t = await tempCase();
    await t.must('evidence.import', { paths: [path.join(src, 'first')] });
    await t.ws.importSettled();
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
    if (src) rmSync(src, { recursive: true, force: true });
  });

  it('answers and audits calls of every kind while it is rebuilt', async () => {
    const { folder } = await t.must('cases.info', {});
    const [probeFace] = (await t.must('evidence.get', { exhibitId: (await t.must('evidence.list', { offset: 0, limit: 10 })).exhibits[0]!.id })).faces;
    expect(probeFace).toBeDefined();
    const [c] = await t.must('cases.list', {});
    await t.must('cases.close', {});

    // Many more faces (look-alikes of the real one) straight into the encrypted store, and no saved index: opening rebuilds it.
    const store = await openCaseStore(folder, { username: 'sup', passphrase: PASSPHRASE });
    try {
      const real = store.reads.face(probeFace!.id)!;
      const [stored] = store.reads.embeddings(real.model);
      const noise = gaussian(9);
      const faces = Array.from({ length: STORED_FACES }, () => ({
        frameTimeMs: null,
        trackKey: null,
        box: real.box,
        landmarks5: real.landmarks5,
        detectorScore: 0.9,
        quality: real.quality,
        model: real.model,
        embedding: normalise(stored!.embedding.map((x) => x + 0.05 * noise())),
        crop: new Uint8Array(1),
        aligned: new Uint8Array(1),
      }));
      const batchId = 'b-synthetic';
      const at = new Date().toISOString();
      store.writes.startBatch({ id: batchId, startedAt: at, startedBy: 'sup', sources: ['synthetic'], options: {}, exhibitRef: null });
      store.writes.insertExhibit(
        {
          batchId, sha256: 'ab'.repeat(32), bytes: 1, sourcePath: '/synthetic/crowd.jpg', fileName: 'crowd.jpg', exhibitRef: null, kind: 'image', fileType: 'jpeg',
          status: 'done', failure: null, notice: null, duplicateOf: null, width: 100, height: 100, durationMs: null, captureTime: null, camera: null, sourceModifiedAt: null,
          importedBy: 'sup', importedAt: at, pack: 'default', thumbnail: null, display: null, role: 'evidence',
        },
        [],
        [],
        faces,
      );
      store.writes.finishBatch(batchId, 'done', at);
    } finally {
      store.close();
    }
    rmSync(path.join(folder, CASE_FILES.faceIndex), { force: true });

    // The calls start while the rebuild is part-way through (it has just yielded), and while it has a read to finish.
    t.events.length = 0;
    const midway = new Promise<void>((resolve) => {
      const off = t.ws.onEvent((e) => {
        if (e.type === 'index.progress' && e.stage === 'rebuilding' && e.done >= 512) {
          off();
          resolve();
        }
      });
    });
    await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
    await midway;
    const calls: [ChannelName, unknown][] = [
      ['evidence.list', { offset: 0, limit: 10 }],
      ['evidence.batches', {}],
      ['audit.list', { chain: 'case', offset: 0, limit: 5 }],
      ['watchlists.create', { name: 'Wanted OP-TEST', description: 'Persons wanted in connection with OP-TEST/001' }],
      ['evidence.import', { paths: [path.join(src, 'later')] }],
      ['search.run', { probeFaceId: probeFace!.id, purpose: PURPOSE, maxFmr: 0.01 }],
    ];
    const answeredBeforeReady: string[] = [];
    const results = await Promise.all(
      calls.map(async ([channel, input]) => {
        const r = await t.ws.call(channel, input, 'test');
        if (!t.events.some((e) => e.type === 'index.progress' && e.stage === 'ready')) answeredBeforeReady.push(channel);
        return r;
      }),
    );
    for (const [i, r] of results.entries()) expect(r, calls[i]![0]).toMatchObject({ ok: true });
    // The test means something only if calls that write were answered while the rebuild still ran.
    expect(answeredBeforeReady).toEqual(expect.arrayContaining(['evidence.list', 'audit.list', 'watchlists.create', 'evidence.import']));

    const list = results[3] as { ok: true; value: { id: number } };
    expect(await t.invoke('watchlists.addEntry', { watchlistId: list.value.id, faceId: probeFace!.id, label: 'Reference', source: 'Custody photo 2019-03-02', reason: 'Named by a witness in statement 14', retentionDate: '2031-01-01' })).toMatchObject({ ok: true });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 10 });
    expect(exhibits.map((e) => e.fileName)).toContain('biden.jpg');

    const audited = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 100 })).records;
    for (const [channel] of calls) expect(audited.some((r) => r.action === channel && r.outcome === 'ok'), channel).toBe(true);
    expect(audited.some((r) => r.action === 'watchlists.addEntry')).toBe(true);
    expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
    // The rebuilt index holds every stored face, the one imported meanwhile included: saved at close, it loads as current.
    await t.must('cases.close', {});
    t.events.length = 0;
    await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
    expect((await t.must('search.run', { probeFaceId: probeFace!.id, purpose: PURPOSE, maxFmr: 0.01 })).candidates.length).toBeGreaterThan(0);
    const stages = t.events.filter((e) => e.type === 'index.progress').map((e) => (e as { stage: string }).stage);
    expect(stages).toContain('ready');
    expect(stages).not.toContain('rebuilding');
  }, 300_000);
});
