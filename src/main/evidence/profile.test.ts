import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSE_STAGES, createClient, type ChannelName } from '../../shared';
import { CASE_AUTHORITY, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD } from '../testing';
import { createWorkstation } from '../workstation';
import { IMPORT_STAGES, ImportProfile } from './profile';

const ready = facesAvailable && packInstalled('yunet');
if (!ready) console.warn(`import profile tests: ${facesAvailable ? 'the yunet pack is not installed in models/packs' : FACES_MISSING}: skipped`);

/** Imports the folder into a new case of a fresh workstation, with or without a profile; returns what the case holds. */
async function importInto(src: string, profile?: ImportProfile) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'loupe-profile-'));
  const ws = await createWorkstation({ home, modelsDir: MODELS_DIR, ...(profile ? { importProfile: profile } : {}) });
  try {
    const t = createClient((channel: ChannelName, input: unknown) => ws.call(channel, input, 'test'));
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    await t.must('evidence.import', { paths: [src] });
    await ws.importSettled();
    const list = await t.must('evidence.list', { offset: 0, limit: 100 });
    const exhibits = await Promise.all(
      [...list.exhibits].sort((a, b) => a.fileName.localeCompare(b.fileName)).map(async (e) => {
        const d = await t.must('evidence.get', { exhibitId: e.id });
        return { file: e.fileName, status: e.status, faces: d.faces.map((f) => ({ box: f.box, quality: f.quality.score })) };
      }),
    );
    const audit = await t.must('audit.list', { chain: 'case', offset: 0, limit: 100 });
    return { exhibits, records: audit.records.map((r) => ({ action: r.action, outcome: r.outcome, detailKeys: Object.keys(r.details ?? {}).sort() })) };
  } finally {
    await ws.close();
    rmSync(home, { recursive: true, force: true });
  }
}

describe.skipIf(!ready)('the import profile (bench:throughput)', () => {
  let src: string;
  beforeAll(() => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-profile-src-'));
    mkdirSync(path.join(src, 'phone'));
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg'), path.join(src, 'phone/IMG_0001.jpg'));
    copyFileSync(path.join(FACES_DIR, 'groups/face_recognition/obama_and_biden.jpg'), path.join(src, 'phone/IMG_0002.jpg'));
  });
  afterAll(() => rmSync(src, { recursive: true, force: true }));

  it('times every stage of an image import, and the case holds exactly what an import without it holds', async () => {
    const profile = new ImportProfile();
    const timed = await importInto(src, profile);
    const plain = await importInto(src);
    expect(timed.exhibits).toEqual(plain.exhibits);
    // The same records with the same details: the profile never reaches the audit chain.
    expect(timed.records).toEqual(plain.records);
    for (const r of timed.records) expect(r.detailKeys.join(' ')).not.toMatch(/stage|profile|timing/i);

    const faces = timed.exhibits.reduce((s, e) => s + e.faces.length, 0);
    expect(faces).toBeGreaterThanOrEqual(3);
    expect([profile.images, profile.faces]).toEqual([2, faces]);
    for (const s of ['sniff', 'readHash', 'display', 'storeWrite', 'audit', 'indexInsert'] as const) expect(profile.main[s], s).toBeGreaterThan(0);
    for (const s of ['decode', 'detect', 'fine', 'secondLook', 'embed', 'crops', 'thumbnail'] as const) expect(profile.engine[s], s).toBeGreaterThan(0);
    const accounted = IMPORT_STAGES.reduce((s, k) => s + profile.main[k], 0) + ANALYSE_STAGES.reduce((s, k) => s + profile.engine[k], 0);
    // Images run side by side, so their stages sum to less than their times from opening to stored, never to more.
    expect(accounted).toBeLessThanOrEqual(profile.latencyMs + 1);
  });
});
