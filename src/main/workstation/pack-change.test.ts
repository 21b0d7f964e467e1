import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseTemplate, SearchRequest, type ApiEvent, type CasePack, type ModelPack } from '../../shared';
import { createFacePool } from '../face-pool';
import { installedManifest, loadPack } from '../models';
import { FaceIndexService, SearchService } from '../search';
import { openCaseStore, toEmbedding } from '../store';
import { CASE_AUTHORITY, FACES_DIR, FACES_MISSING, facesAvailable, killCliWhen, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD, tamperClosedCase, tamperingConnection, tempWorkstation } from '../testing';

const ready = facesAvailable && packInstalled('default') && packInstalled('yunet');
if (!ready) console.warn(`pack change tests: ${facesAvailable ? 'the default and yunet packs are not both installed in models/packs' : FACES_MISSING}: skipped`);

const PURPOSE = 'Find where the suspect of robbery OP-TEST/001 appears in the seized footage';
const REASON = 'The yunet pack finds the small faces of this footage better';

interface HeldFace {
  id: number;
  model: string;
  embedding: Float32Array;
  aligned: Buffer;
  landmarks: string;
}

/** What a closed case holds of its faces, tracks and pack changes, read outside Loupe. */
async function readCase(folder: string) {
  const store = await openCaseStore(folder, { username: 'sup', passphrase: PASSPHRASE });
  const db = tamperingConnection(store);
  try {
    const faces = (db.prepare('SELECT id, model, embedding, aligned, landmarks FROM faces ORDER BY id').all() as (Omit<HeldFace, 'embedding'> & { embedding: Buffer })[]).map((f) => ({ ...f, embedding: toEmbedding(f.embedding) }));
    const tracks = (db.prepare('SELECT id, template FROM tracks WHERE template IS NOT NULL ORDER BY id').all() as { id: number; template: Buffer }[]).map((t) => ({ id: t.id, template: toEmbedding(t.template) }));
    const trackFaces = db.prepare('SELECT embedding, quality_score AS quality FROM faces WHERE track_id = ? AND deleted = 0 ORDER BY id');
    const members = new Map(tracks.map((t) => [t.id, (trackFaces.all(t.id) as { embedding: Buffer; quality: number }[]).map((m) => ({ embedding: toEmbedding(m.embedding), quality: m.quality }))]));
    const kept = new Map((db.prepare('SELECT face_id AS id, old_model AS model, old_embedding AS embedding FROM pack_change_faces WHERE old_embedding IS NOT NULL').all() as { id: number; model: string; embedding: Buffer }[]).map((k) => [k.id, { model: k.model, embedding: toEmbedding(k.embedding) }]));
    return { faces, tracks, members, kept };
  } finally {
    db.close();
    store.close();
  }
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A seized folder: real photos of four people and a short video (whose faces make tracks). */
function makeSource(dirs: string[], people: string[], video: boolean): string {
  const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-repack-src-'));
  dirs.push(src);
  for (const p of people) {
    mkdirSync(path.join(src, p));
    for (const f of readdirSync(path.join(FACES_DIR, 'identities', p)).filter((f) => !f.includes('partial')).slice(0, 6)) copyFileSync(path.join(FACES_DIR, 'identities', p, f), path.join(src, p, f));
  }
  if (video) copyFileSync(path.join(FACES_DIR, 'video/face_recognition/short_hamilton_clip.mp4'), path.join(src, 'clip.mp4'));
  return src;
}

describe.skipIf(!ready)("changing a case's model pack", () => {
  const dirs: string[] = [];
  let t: Awaited<ReturnType<typeof tempWorkstation>>;
  const events: ApiEvent[] = [];
  let caseId: string;
  let folder: string;
  let from: CasePack;
  let to: string;

  beforeAll(async () => {
    t = await tempWorkstation('loupe-repack-');
    dirs.push(t.home);
    t.ws.onEvent((e) => events.push(e));
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
    const created = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    caseId = created.id;
    folder = created.folder;
    from = created.pack!;
    to = from.name === 'yunet' ? 'default' : 'yunet';
    await t.must('cases.grantAccess', { username: 'ann', passphrase: PASSPHRASE });
    await t.must('review.setBlindMode', { on: false, reason: 'These tests read the recorded scores' });
    await t.must('evidence.import', { paths: [makeSource(dirs, ['Barack_Obama', 'Joe_Biden', 'Angelina_Jolie'], true)], options: { videoFramesPerSecond: 1 } });
    await t.ws.importSettled();
  });
  afterAll(async () => {
    await t?.ws.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('is refused to a non-supervisor, for a pack not installed or the same pack, without a reason, and while an import was cut short', async () => {
    expect((await t.invoke('cases.changePack', { pack: to, reason: 'short' })).ok).toBe(false);
    expect(await t.invoke('cases.changePack', { pack: 'nosuch', reason: REASON })).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringContaining('Model pack nosuch is not installed') } });
    expect(await t.invoke('cases.changePack', { pack: from.name, reason: REASON })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(`already uses model pack ${from.name}`) } });

    await t.must('cases.close', {});
    await tamperClosedCase(folder, "UPDATE import_batches SET status = 'interrupted'");
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    expect(await t.invoke('cases.changePack', { pack: to, reason: REASON })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('An import of this case was cut short') } });
    await t.must('cases.close', {});
    await tamperClosedCase(folder, "UPDATE import_batches SET status = 'done'");

    await t.must('session.signOut', {});
    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    expect(await t.invoke('cases.changePack', { pack: to, reason: REASON })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    expect((await t.must('cases.info', {})).pack).toEqual(from);
    expect(await t.must('cases.packChanges', {})).toEqual([]);
  });

  it('encodes every face again with the new pack, fuses the tracks again, keeps earlier searches as they were and records it all', async () => {
    const photos = (await t.must('evidence.list', { offset: 0, limit: 100, status: 'done' })).exhibits.filter((e) => e.kind === 'image');
    const probeFace = (await t.must('evidence.get', { exhibitId: photos[0]!.id })).faces[0]!;
    const before = await t.must('search.run', { probeFaceId: probeFace.id, purpose: PURPOSE, maxFmr: null });
    expect(before.pack.name).toBe(from.name);
    await t.must('cases.close', {});
    const old = await readCase(folder);
    expect(old.tracks.length).toBeGreaterThan(0);
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });

    const started = await t.must('cases.changePack', { pack: to, reason: REASON });
    expect(started).toMatchObject({ status: 'running', facesTotal: old.faces.length, reason: REASON, startedBy: 'sup', from: { name: from.name }, to: { name: to, how: 'changed', recordedBy: 'sup', reason: REASON } });
    // One change at a time, and no import meanwhile (its faces would be encoded by the old pack).
    expect(await t.invoke('cases.changePack', { pack: to, reason: REASON })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('already being changed') } });
    expect(await t.invoke('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), exhibitRef: 'PROBE/1' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('being changed') } });
    // Until the swap, searches use the old pack.
    expect((await t.must('search.run', { probeFaceId: probeFace.id, purpose: PURPOSE, maxFmr: null })).pack.name).toBe(from.name);
    await t.ws.packChangeSettled();

    const [change] = await t.must('cases.packChanges', {});
    expect(change).toMatchObject({ id: started.id, status: 'done', facesDone: old.faces.length, facesTotal: old.faces.length, failure: null });
    const progress = events.filter((e): e is Extract<ApiEvent, { type: 'pack.progress' }> => e.type === 'pack.progress');
    expect(progress.at(-1)).toMatchObject({ changeId: started.id, stage: 'done', done: old.faces.length, total: old.faces.length });
    const info = await t.must('cases.info', {});
    expect(info.pack).toMatchObject({ name: to, how: 'changed', recordedBy: 'sup', reason: REASON });

    // Searches now use the new pack; the earlier one keeps its scores and pack on the record.
    const after = await t.must('search.run', { probeFaceId: probeFace.id, purpose: PURPOSE, maxFmr: null });
    expect(after.pack.name).toBe(to);
    expect(after.candidates.length).toBeGreaterThan(0);
    const again = await t.must('search.get', { searchId: before.id });
    expect(again.pack).toEqual(before.pack);
    expect(again.candidates.map((c) => [c.face.id, c.score])).toEqual(before.candidates.map((c) => [c.face.id, c.score]));

    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 500 })).records;
    expect(records.find((r) => r.action === 'cases.changePack' && r.outcome === 'ok')?.details).toMatchObject({ input: { pack: to, reason: REASON }, from: `${from.name} ${from.version}`, facesTotal: old.faces.length, resumed: false });
    expect(records.find((r) => r.action === 'cases.packChanged')).toMatchObject({
      user: 'sup',
      object: `pack-change:${started.id}`,
      details: { from: { name: from.name, version: from.version }, to: { name: to }, reason: REASON, facesReencoded: old.faces.length, tracksFused: old.tracks.length, detections: 'kept' },
    });
    expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);

    // The report states the case's pack, its change, and the pack of each search.
    const { html } = await t.must('report.preview', {});
    expect(html).toContain(`The case&#39;s model pack is ${to} ${info.pack!.version}`);
    expect(html).toContain(REASON);
    expect(html).toContain(`${from.name} ${from.version}, embedder`);
    expect(html).toContain(`${to} ${info.pack!.version}, embedder`);
    await t.must('cases.close', {});

    // Every face differs from before and is what the new pack gives for the same aligned face; the old embeddings are kept beside.
    const now = await readCase(folder);
    const manifest: ModelPack = await installedManifest(MODELS_DIR, to);
    const pool = await createFacePool({ pack: await loadPack(MODELS_DIR, to), size: 1 });
    const oldManifest = await installedManifest(MODELS_DIR, from.name);
    const fromTemplate = { template: oldManifest.embedder.alignmentTemplate as [number, number][], width: oldManifest.embedder.inputSize.width, height: oldManifest.embedder.inputSize.height };
    try {
      expect(now.faces.map((f) => f.id)).toEqual(old.faces.map((f) => f.id));
      for (const [i, f] of now.faces.entries()) {
        const was = old.faces[i]!;
        expect(f.model).toBe(info.pack!.embedder);
        expect(same(f.embedding, was.embedding), `face ${f.id} was not encoded again`).toBe(false);
        const expected = await pool.reembed({ aligned: new Uint8Array(f.aligned), landmarks5: JSON.parse(f.landmarks), from: fromTemplate });
        expect(same(f.embedding, expected), `face ${f.id}`).toBe(true);
        expect(now.kept.get(f.id)?.model).toBe(was.model);
        expect(same(now.kept.get(f.id)!.embedding, was.embedding)).toBe(true);
      }
    } finally {
      await pool.close();
    }
    expect(manifest.name).toBe(to);
    for (const track of now.tracks) {
      const fused = fuseTemplate(now.members.get(track.id)!);
      expect(same(track.template, fused.embedding), `track ${track.id}`).toBe(true);
      expect(same(track.template, old.tracks.find((o) => o.id === track.id)!.template)).toBe(false);
    }
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
  });
});

describe.skipIf(!ready)('a search under way when a pack change is swapped in', () => {
  it('records nothing, and says to run it again', async () => {
    const t = await tempWorkstation('loupe-repack-search-');
    try {
      await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
      const created = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
      const probe = await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), exhibitRef: 'PROBE/1' });
      await t.must('cases.close', {});
      const store = await openCaseStore(created.folder, { username: 'sup', passphrase: PASSPHRASE });
      const manifest = await installedManifest(MODELS_DIR, created.pack!.name);
      const pack = async () => ({ manifest, model: created.pack!.embedder });
      const index = new FaceIndexService(store, pack, () => {});
      try {
        const search = new SearchService(store, () => index.get(), pack, () => new Date());
        const write = await search.run(SearchRequest.parse({ probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: null }), 'sup');
        // What the swap writes, between the search and its record.
        store.writes.setCaseMeta('pack', JSON.stringify({ ...created.pack, recordedAt: new Date().toISOString(), how: 'changed' }));
        expect(write).toThrow("The case's model pack was changed while this search ran");
        expect(store.reads.searches()).toEqual([]);
      } finally {
        await index.close();
        store.close();
      }
    } finally {
      await t.dispose();
    }
  });
});

describe.skipIf(!ready)('a pack change that fails or is killed', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('leaves the case as it was when it fails, and resumes from what it staged after SIGKILL', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'loupe-repack-kill-'));
    dirs.push(home);
    let t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const created = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'KILL/1', passphrase: PASSPHRASE });
    const from = created.pack!;
    const to = from.name === 'yunet' ? 'default' : 'yunet';
    await t.must('evidence.import', { paths: [makeSource(dirs, ['Barack_Obama', 'Joe_Biden', 'Angelina_Jolie', 'Elon_Musk', 'George_Clooney', 'Jack_Dorsey', 'Jeff_Bezos', 'Jennifer_Aniston', 'Katy_Perry'], false)] });
    await t.ws.importSettled();
    await t.must('cases.close', {});
    const old = await readCase(created.folder);
    expect(old.faces.length).toBeGreaterThan(40);

    // A face whose stored crop cannot be read fails the change: nothing of it reaches the case.
    const victim = old.faces[old.faces.length - 1]!;
    await tamperClosedCase(created.folder, `UPDATE faces SET aligned = x'00010203' WHERE id = ${victim.id}`);
    await t.must('cases.open', { caseId: created.id, passphrase: PASSPHRASE });
    const failing = await t.must('cases.changePack', { pack: to, reason: REASON });
    await t.ws.packChangeSettled();
    const [failed] = await t.must('cases.packChanges', {});
    expect(failed).toMatchObject({ id: failing.id, status: 'failed', failure: expect.stringContaining(`Face ${victim.id}`) });
    expect((await t.must('cases.info', {})).pack).toEqual(from);
    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 500 })).records;
    expect(records.find((r) => r.action === 'cases.packChangeFailed')).toMatchObject({ outcome: 'failed', object: `pack-change:${failing.id}` });
    await t.must('cases.close', {});
    const unchanged = await readCase(created.folder);
    expect(unchanged.faces.every((f, i) => f.model === old.faces[i]!.model && same(f.embedding, old.faces[i]!.embedding))).toBe(true);
    await tamperClosedCase(created.folder, `UPDATE faces SET aligned = x'${victim.aligned.toString('hex')}' WHERE id = ${victim.id}`);
    await t.ws.close();

    // The same change from the command line, killed hard once part of it is staged.
    const killedAt = await killCliWhen(home, ['case', 'change-pack', '--case', 'KILL/1', '--pack', to, '--reason', REASON], (progress) => {
      const m = [...progress.matchAll(/(\d+)\/(\d+) faces/g)].at(-1);
      return m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2]) ? Number(m[1]) : null;
    });
    expect(killedAt).toBeGreaterThan(0);

    t = await tempWorkstation('', home);
    try {
      await t.must('session.signIn', { username: 'sup', password: PASSWORD });
      await t.must('cases.open', { caseId: created.id, passphrase: PASSPHRASE });
      const [cut] = await t.must('cases.packChanges', {});
      expect(cut).toMatchObject({ id: failing.id, status: 'interrupted' });
      expect(cut!.facesDone).toBeGreaterThanOrEqual(killedAt);
      expect(cut!.facesDone).toBeLessThan(old.faces.length);
      // Until it is done the case keeps its pack, and its searches use it.
      expect((await t.must('cases.info', {})).pack).toEqual(from);
      const probeFace = old.faces[0]!.id;
      expect((await t.must('search.run', { probeFaceId: probeFace, purpose: PURPOSE, maxFmr: null })).pack.name).toBe(from.name);

      const resumed = await t.must('cases.changePack', { pack: to, reason: 'Resuming the change cut short by the crash' });
      expect(resumed.id).toBe(failing.id);
      await t.ws.packChangeSettled();
      const [done] = await t.must('cases.packChanges', {});
      expect(done).toMatchObject({ status: 'done', facesDone: old.faces.length, reason: REASON });
      expect((await t.must('cases.info', {})).pack).toMatchObject({ name: to, how: 'changed' });
      expect((await t.must('search.run', { probeFaceId: probeFace, purpose: PURPOSE, maxFmr: null })).pack.name).toBe(to);
      const calls = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 500 })).records.filter((r) => r.action === 'cases.changePack' && r.outcome === 'ok');
      // The failed attempt, then the killed one and this one, each taking up what was staged.
      expect(calls.map((r) => r.details.resumed).sort()).toEqual([false, true, true]);
      expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
      await t.must('cases.close', {});
    } finally {
      await t.ws.close();
    }
    const after = await readCase(created.folder);
    expect(after.faces.every((f, i) => !same(f.embedding, old.faces[i]!.embedding))).toBe(true);
  });
});
