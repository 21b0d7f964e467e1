import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExhibitDetails, fuseTemplate, similarity } from '../../shared';
import { createFacePool } from '../face-pool';
import { bestPack, loadPack } from '../models';
import { openCaseStore } from '../store';
import { FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE, tempCase } from '../testing';
import { type Appearance, faceTile, makeSceneVideo, personAt, trackPurity } from '../testing/video';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`video tracks test: ${facesAvailable ? 'no model pack installed' : FACES_MISSING}: skipped`);

const PEOPLE = ['Angelina_Jolie', 'Barack_Obama', 'George_Clooney', 'Jack_Dorsey', 'Jennifer_Aniston', 'Katy_Perry'];
const SIDE = 120;

/** Six people one after another at the same place, each 2.5 s, with no pause between them. */
const sequence = (tiles: Map<string, string>): Appearance[] =>
  PEOPLE.map((person, i) => ({ person, tile: tiles.get(person) as string, fromS: i * 2.5, toS: (i + 1) * 2.5, x0: 250, x1: 270, y: 110, side: SIDE }));
/** Four people at once, side by side, each moving a little. */
const crowd = (tiles: Map<string, string>): Appearance[] =>
  PEOPLE.slice(0, 4).map((person, i) => ({ person, tile: tiles.get(person) as string, fromS: 0, toS: 6, x0: 20 + i * 155, x1: 30 + i * 155, y: 60 + (i % 2) * 120, side: SIDE }));

describe.skipIf(!ready)('tracks of composed clips (real photos, ffmpeg, the real import)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-tracks-'));
  const scenes = new Map<string, Appearance[]>();
  let details: Map<string, ExhibitDetails>;
  let t: Awaited<ReturnType<typeof tempCase>>;

  beforeAll(async () => {
    const pool = await createFacePool({ pack: await loadPack(MODELS_DIR, await bestPack(MODELS_DIR)), size: 1 });
    const tiles = new Map<string, string>();
    try {
      for (const person of PEOPLE) {
        const folder = path.join(FACES_DIR, 'identities', person);
        const photo = path.join(folder, readdirSync(folder).sort()[0] as string);
        const a = await pool.analyse(new Uint8Array(readFileSync(photo)), { thumbnail: false });
        const main = a.faces.reduce((x, f) => (f.box.w > x.box.w ? f : x));
        tiles.set(person, await faceTile(photo, main.box, path.join(dir, `${person}.png`), SIDE));
      }
    } finally {
      await pool.close();
    }
    const src = path.join(dir, 'src');
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src);
    scenes.set('sequence.mp4', sequence(tiles));
    scenes.set('crowd.mp4', crowd(tiles));
    await makeSceneVideo(path.join(src, 'sequence.mp4'), scenes.get('sequence.mp4') as Appearance[], { seconds: 15, width: 640, height: 360, fps: 10 });
    await makeSceneVideo(path.join(src, 'crowd.mp4'), scenes.get('crowd.mp4') as Appearance[], { seconds: 6, width: 640, height: 360, fps: 10 });
    t = await tempCase();
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    details = new Map();
    for (const e of (await t.must('evidence.list', { offset: 0, limit: 10 })).exhibits) details.set(e.fileName, await t.must('evidence.get', { exhibitId: e.id }));
  }, 300_000);
  afterAll(async () => {
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const purity = (clip: string) => {
    const d = details.get(clip) as ExhibitDetails;
    const scene = scenes.get(clip) as Appearance[];
    const faces = d.faces.map((f) => ({ trackId: f.trackId, person: personAt(scene, f.timeMs ?? 0, f.box) }));
    return { ...trackPurity(faces), known: faces.filter((f) => f.person !== null).length };
  };

  it('gives people who take the same place one after another a track each, never one track for two', () => {
    const p = purity('sequence.mp4');
    expect(p.known).toBeGreaterThan(20);
    expect(Object.values(p.peoplePerTrack).every((n) => n === 1)).toBe(true);
    expect(p.tracksPerPerson).toEqual(Object.fromEntries(PEOPLE.map((n) => [n, 1])));
  });

  it('gives one track per person when several are seen at once', () => {
    const p = purity('crowd.mp4');
    expect(p.known).toBeGreaterThan(20);
    expect(Object.values(p.peoplePerTrack).every((n) => n === 1)).toBe(true);
    expect(p.tracksPerPerson).toEqual(Object.fromEntries(PEOPLE.slice(0, 4).map((n) => [n, 1])));
  });

  it("keeps each track's fused template with it: its best five faces by quality, weighted by quality", async () => {
    const [c] = await t.must('cases.list', {});
    await t.must('cases.close', {});
    const store = await openCaseStore(path.join(t.home, 'cases', c!.id), { username: 'sup', passphrase: PASSPHRASE });
    try {
      let checked = 0;
      for (const d of details.values()) {
        for (const track of store.reads.tracks(d.exhibit.id)) {
          const stored = store.reads.trackTemplate(track.id)!;
          const expected = fuseTemplate(store.reads.trackFaces(track.id));
          expect(stored.faces).toBe(Math.min(5, track.faceCount));
          expect(similarity(stored.embedding, expected.embedding)).toBeCloseTo(1, 6);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(10);
    } finally {
      store.close();
    }
  });
});
