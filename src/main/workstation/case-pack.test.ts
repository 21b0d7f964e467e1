import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, packFiles, type ChannelName } from '../../shared';
import { installedManifest } from '../models';
import { CASE_AUTHORITY, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD, tamperClosedCase } from '../testing';
import { createWorkstation, type Workstation } from './index';

const ready = facesAvailable && packInstalled('default') && packInstalled('yunet');
if (!ready) console.warn(`case pack tests: ${facesAvailable ? 'the default and yunet packs are not both installed in models/packs' : FACES_MISSING}: skipped`);

const PURPOSE = 'Find where the suspect of robbery OP-TEST/001 appears in the seized footage';

describe.skipIf(!ready)('the model pack a case is made with', () => {
  let root: string;
  let models: string;
  let ws: Workstation;
  let t: ReturnType<typeof createClient>;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'loupe-case-pack-'));
    // A models folder of the test's own with the default pack only, so installing yunet changes which pack is best.
    models = path.join(root, 'models');
    mkdirSync(path.join(models, 'default'), { recursive: true });
    for (const f of readdirSync(path.join(MODELS_DIR, 'default'))) cpSync(path.join(MODELS_DIR, 'default', f), path.join(models, 'default', f));
    ws = await createWorkstation({ home: path.join(root, 'home'), modelsDir: models });
    t = createClient((channel: ChannelName, input: unknown) => ws.call(channel, input, 'test'));
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
  });
  afterAll(async () => {
    await ws?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('records its pack at creation and keeps it when another pack is installed', async () => {
    const created = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    const manifest = await installedManifest(models, 'default');
    expect(created.pack).toMatchObject({ name: 'default', version: manifest.version, how: 'created', recordedBy: 'sup', reason: null });
    expect(created.pack?.files).toEqual(packFiles(manifest).map(({ role, file, sha256 }) => ({ role, file, sha256 })));
    const creation = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 50 })).records.find((r) => r.action === 'cases.create');
    expect(creation?.details).toMatchObject({ packRecorded: { name: 'default', how: 'created' } });

    await t.must('models.install', { pack: 'yunet', from: path.join(MODELS_DIR, 'yunet') });
    expect((await t.must('models.list', {})).find((p) => p.name === 'yunet')).toMatchObject({ installed: true, active: true });

    // The case still analyses and searches with its own pack, open or reopened.
    const probe = await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), exhibitRef: 'PROBE/1' });
    const search = await t.must('search.run', { probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: null });
    expect(search.pack.name).toBe('default');
    const [c] = await t.must('cases.list', {});
    await t.must('cases.close', {});
    const reopened = await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
    expect(reopened.pack).toEqual(created.pack);
    const again = await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden2.jpg'), exhibitRef: 'PROBE/2' });
    expect((await t.must('search.run', { probeFaceId: again.faces[0]!.id, purpose: PURPOSE, maxFmr: null })).pack.name).toBe('default');
    await t.must('cases.close', {});
  });

  it('gives a case made before packs were recorded the pack its exhibits were analysed with, on the record of its opening', async () => {
    const [c] = await t.must('cases.list', {});
    const { folder } = await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    await tamperClosedCase(folder, "DELETE FROM case_meta WHERE key = 'pack'");
    const opened = await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
    // yunet is the best installed pack now, but the case's exhibits were analysed with default (so the first test's imports used it).
    expect(opened.pack).toMatchObject({ name: 'default', how: 'migrated', recordedBy: 'sup', reason: 'the pack its exhibits were analysed with' });
    const opens = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 100 })).records.filter((r) => r.action === 'cases.open');
    expect(opens.filter((r) => 'packRecorded' in r.details).map((r) => r.details.packRecorded)).toEqual([{ name: 'default', version: opened.pack!.version, how: 'migrated' }]);
    await t.must('cases.close', {});
  });
});
